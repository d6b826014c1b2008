"""Bounds on what an upload may make the parser do: checked before or while a file is read.

A small file can ask for a great deal: a 4.7 KB workbook whose sheet expands without limit, a
2 MB CSV line of commas (two million columns), a Parquet file whose pages decompress to
gigabytes, a JSON document nested thousands deep or with a hundred thousand keys. Each bound
below is checked as early as it can be (the CSV header before parsing, the workbook's members
while they are decompressed, the Parquet footer before any page is read, the JSON document
once parsed), and a file past a bound is refused naming the bound and its setting:
:class:`~screening.errors.UploadRefused` (``too_large``, 413) for sizes and row counts,
:class:`~screening.errors.LoaderError` (422) for shapes.

Examples
--------
>>> check_csv_shape("v.csv", b"a,b,c\\n1,2,3\\n", Bounds(max_columns=2))
Traceback (most recent call last):
...
screening.errors.LoaderError: v.csv: the header row has 3 columns; at most 2 are allowed \
(SCREENING_MAX_COLUMNS).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from screening.errors import LoaderError, UploadRefused

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Bounds:
    """The bounds of one upload (defaults as the settings' defaults)."""

    max_rows: int = 1_000_000
    max_columns: int = 200
    max_cell_chars: int = 10_000
    max_json_depth: int = 32
    max_json_keys: int = 5_000_000
    max_decompressed_mb: float = 200.0

    @property
    def decompressed_bytes(self) -> int:
        """:attr:`max_decompressed_mb` in bytes."""
        return int(self.max_decompressed_mb * 1e6)


def _too_large(label: str, what: str, setting: str) -> UploadRefused:
    return UploadRefused("too_large", f"{label}: {what} (SCREENING_{setting}).")


def check_csv_shape(label: str, data: bytes, bounds: Bounds, sep: str = ",") -> None:
    """Refuse a CSV file with more columns in its header row, or more lines, than allowed,
    before it is parsed (counting separators ``sep`` and line ends, no parsing)."""
    end = data.find(b"\n")
    header = data if end < 0 else data[:end]
    columns = header.count(sep.encode()) + 1
    if columns > bounds.max_columns:
        raise LoaderError(label, f"the header row has {columns} columns; at most "
                                 f"{bounds.max_columns} are allowed (SCREENING_MAX_COLUMNS)")
    lines = data.count(b"\n")
    if lines > bounds.max_rows + 1 and data.count(b'"') == 0:  # quoted values may hold line ends
        raise _too_large(label, f"the file has {lines:,} lines; at most {bounds.max_rows:,} rows "
                                "are allowed", "MAX_ROWS")


def check_xlsx_size(label: str, data: bytes, bounds: Bounds) -> None:
    """Decompress every member of a workbook without keeping it, refusing as soon as the total
    passes the bound (the sizes a zip file declares can lie; the bytes cannot)."""
    limit = bounds.decompressed_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # openpyxl says what is wrong with it
    total = 0
    with archive:
        for member in archive.infolist():
            try:
                with archive.open(member) as handle:
                    while block := handle.read(_CHUNK):
                        total += len(block)
                        if total > limit:
                            raise _too_large(
                                label, f"the workbook expands to more than "
                                       f"{bounds.max_decompressed_mb:g} MB when unpacked",
                                "MAX_DECOMPRESSED_MB")
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                return  # a damaged member: openpyxl says what is wrong with it


def check_parquet_size(label: str, data: bytes, bounds: Bounds) -> None:
    """Refuse a Parquet file whose footer promises too many rows, columns or bytes, before any
    page of it is read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(pa.py_buffer(data)).metadata
    except Exception:  # noqa: BLE001 - the reader says what is wrong with it
        return
    if meta.num_columns > bounds.max_columns:
        raise LoaderError(label, f"the file has {meta.num_columns} columns; at most "
                                 f"{bounds.max_columns} are allowed (SCREENING_MAX_COLUMNS)")
    if meta.num_rows > bounds.max_rows:
        raise _too_large(label, f"the file has {meta.num_rows:,} rows; at most "
                                f"{bounds.max_rows:,} are allowed", "MAX_ROWS")
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if size > bounds.decompressed_bytes:
        raise _too_large(label, f"the file expands to {size / 1e6:,.0f} MB when read; at most "
                                f"{bounds.max_decompressed_mb:g} MB are allowed",
                         "MAX_DECOMPRESSED_MB")


def check_json_document(label: str, document: object, bounds: Bounds) -> None:
    """Refuse a JSON document nested deeper, or with more keys in all, than allowed, and one
    whose records name more distinct columns than allowed (walked without recursion)."""
    keys, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > bounds.max_json_depth:
            raise LoaderError(label, f"the JSON is nested more than {bounds.max_json_depth} "
                                     "levels deep (SCREENING_MAX_JSON_DEPTH)")
        if isinstance(node, dict):
            keys += len(node)
            if keys > bounds.max_json_keys:
                raise _too_large(label, f"the JSON has more than {bounds.max_json_keys:,} keys",
                                 "MAX_JSON_KEYS")
            if len(node) > bounds.max_columns:
                raise LoaderError(label, f"a JSON object has {len(node)} keys; at most "
                                         f"{bounds.max_columns} columns are allowed "
                                         "(SCREENING_MAX_COLUMNS)")
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            if len(node) > bounds.max_rows:
                raise _too_large(label, f"a JSON list has {len(node):,} items; at most "
                                        f"{bounds.max_rows:,} rows are allowed", "MAX_ROWS")
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def check_table(label: str, name: str, columns: list[str], rows: int, bounds: Bounds) -> None:
    """Refuse a table read with more rows or columns than allowed."""
    if len(columns) > bounds.max_columns:
        raise LoaderError(label, f"the table '{name}' has {len(columns)} columns; at most "
                                 f"{bounds.max_columns} are allowed (SCREENING_MAX_COLUMNS)")
    if rows > bounds.max_rows:
        raise _too_large(label, f"the table '{name}' has {rows:,} rows; at most "
                                f"{bounds.max_rows:,} are allowed", "MAX_ROWS")


def check_cells(label: str, name: str, frame, bounds: Bounds, first_row: int) -> None:  # noqa: ANN001
    """Refuse a table with a text cell longer than allowed, naming its row and column.

    A text column's longest cell in bytes is found in Arrow first (no cell has more characters
    than bytes); characters are counted only in a column where that could pass the bound.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
            longest = pc.max(pc.binary_length(values.array.__arrow_array__())).as_py()
            if longest is None or longest <= bounds.max_cell_chars:
                continue
        try:
            lengths = values.str.len()
        except (AttributeError, TypeError):
            continue
        over = np.flatnonzero(lengths.fillna(0).to_numpy(dtype="int64") > bounds.max_cell_chars)
        if over.size:
            raise LoaderError(label, f"the cell in row {first_row + int(over[0])}, column "
                                     f"'{column}' of '{name}' has "
                                     f"{int(lengths.iloc[over[0]]):,} characters; at most "
                                     f"{bounds.max_cell_chars:,} are allowed "
                                     "(SCREENING_MAX_CELL_CHARS)")


__all__ = ["Bounds", "check_cells", "check_csv_shape", "check_json_document",
           "check_parquet_size", "check_table", "check_xlsx_size"]
