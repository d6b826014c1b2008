"""Read upload files (CSV, XLSX, JSON, Parquet) from bytes into untyped tables.

A source is a path, a file name with its bytes, or a binary file object: a service hands the
bytes it received, never writing them to a temporary file, and every message names the user's
file, never a server path. Validation is :mod:`screening.ingest.validation`'s work.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path, PurePath
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from screening.errors import LoaderError, UploadRefused
from screening.ingest import bounds as _bounds
from screening.ingest.bounds import Bounds
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOME_COLUMNS, VISIT_COLUMNS, Kind
from screening.ingest.validation import blank_rows

TABLE_NAMES: tuple[str, ...] = ("visits", "interviews", "outcomes")
"""The tables an upload can hold (sheets of a workbook, keys of a JSON object)."""

FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".json", ".parquet")
"""File extensions the loaders read."""

UploadSource = str | os.PathLike | tuple[str, bytes] | BinaryIO
"""A path, ``(file name, bytes)``, or a binary file object with a ``name``."""

_REPEATING_KINDS = (Kind.BOOL, Kind.CHOICE, Kind.DATE, Kind.INT)
_MAX_CSV_COLUMNS = 4096
_CSV_TYPES = pacsv.ConvertOptions(
    column_types=dict.fromkeys((f"f{i}" for i in range(_MAX_CSV_COLUMNS)), pa.string())
)  # every cell as text; fmt: skip


def read_source(source: UploadSource) -> tuple[str, bytes]:
    """The name to show and the bytes of an upload source.

    Parameters
    ----------
    source : str, os.PathLike, (name, bytes) or binary file object
        A path on this machine, a file's name with its bytes (what a service receives), or an
        open binary file whose ``name`` is shown.

    Returns
    -------
    label : str
        The path as given, or the user's file name: every message names it.
    data : bytes

    Raises
    ------
    LoaderError
        Not found, a folder, an unsupported type, unreadable or empty.

    Examples
    --------
    >>> read_source(("visits.csv", b"visit_id"))
    ('visits.csv', b'visit_id')
    >>> read_source(("visits.txt", b"x"))
    Traceback (most recent call last):
    ...
    screening.errors.LoaderError: visits.txt: the file type '.txt' is not supported; use \
.csv, .xlsx, .json or .parquet.
    """
    if isinstance(source, tuple):
        label, data = str(source[0]), bytes(source[1])
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise LoaderError(label, "the file was not found")
        if path.is_dir():
            raise LoaderError(label, "this is a folder, not a file")
        _check_suffix(label)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise LoaderError(label, f"the file could not be read ({error})") from None
    else:
        label = str(getattr(source, "name", "") or "upload")
        data = source.read()
    _check_suffix(label)
    if not data:
        raise LoaderError(label, "the file is empty (0 bytes)")
    return label, data


def suffix_of(label: str) -> str:
    """The lower-case extension of a file name.

    >>> suffix_of("Visits.CSV")
    '.csv'
    """
    return PurePath(label).suffix.lower()


def _check_suffix(label: str) -> None:
    if suffix_of(label) not in FORMATS:
        supported = f"use {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
        raise LoaderError(label, f"the file type '{PurePath(label).suffix}' is not supported; "
                                 f"{supported}")


def _require_utf8(label: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise LoaderError(
            label,
            f"the file is not UTF-8 text: byte 0x{byte} at byte offset {error.start} "
            f"(line {line}) cannot be read. Save the file as UTF-8 (in Excel: "
            f"'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)') and upload it again",
        ) from None


def _named(label: str, header: list[object], frame: pd.DataFrame) -> pd.DataFrame:
    """Name the columns from the header row: trimmed, unnamed empty columns dropped."""
    names, keep = [], []
    for i, value in enumerate(header):
        name = "" if value is None else str(value).strip()
        if not name:
            if blank_rows(frame.iloc[:, [i]]).all():
                continue
            name = f"column_{i + 1}"
        names.append(name)
        keep.append(i)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        listed = ", ".join(f"'{n}'" for n in repeated)
        raise LoaderError(label, f"the column(s) {listed} appear more than once in the header row")
    frame = frame.iloc[:, keep]
    frame.columns = names
    return frame


_REPEATING = {name: frozenset(s.name for s in specs if s.kind in _REPEATING_KINDS)
              for name, specs in (("visits", VISIT_COLUMNS), ("interviews", INTERVIEW_COLUMNS),
                                  ("outcomes", OUTCOME_COLUMNS))}  # fmt: skip
"""The columns of each table whose values repeat (true/false, choices, dates, counts)."""


def _csv_types(data: bytes, parse: pacsv.ParseOptions, table: str) -> pacsv.ConvertOptions:
    """Every cell as text; the columns whose values repeat (:data:`_REPEATING`, found by the
    header row) dictionary-encoded while the file is read, on the reader's threads, so that
    validation parses each distinct value once (a Categorical, no hashing afterwards)."""
    end = data.find(b"\n")
    try:
        header = pacsv.read_csv(pa.py_buffer(data[: end + 1] if end >= 0 else data),
                                pacsv.ReadOptions(autogenerate_column_names=True), parse,
                                _CSV_TYPES)  # fmt: skip
    except (pa.ArrowException, ValueError):
        return _CSV_TYPES  # the whole read says what is wrong
    repeating = _REPEATING.get(table, frozenset())
    if header.num_rows != 1 or not repeating:
        return _CSV_TYPES
    names = [str(header.column(i)[0].as_py() or "").strip() for i in range(header.num_columns)]
    encoded = pa.dictionary(pa.int32(), pa.string())
    types = {f"f{i}": encoded if n in repeating else pa.string() for i, n in enumerate(names)}
    return pacsv.ConvertOptions(column_types={**_CSV_TYPES.column_types, **types})


def _read_csv(label: str, data: bytes, table_name: str = "visits") -> pd.DataFrame:
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
    read = pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22)
    try:
        table = pacsv.read_csv(pa.py_buffer(data), read, parse, _csv_types(data, parse, table_name))
    except (pa.ArrowException, ValueError) as error:
        _require_utf8(label, data)  # a parse error may hide an encoding problem: name that first
        raise LoaderError(label, _csv_problem(data, error)) from None
    if table.num_columns > _MAX_CSV_COLUMNS:
        raise LoaderError(label, f"the file has more than {_MAX_CSV_COLUMNS} columns")
    header = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    if table.num_rows == 0 or all(not (h or "").strip() for h in header):
        raise LoaderError(label, "the file has no header row")
    if len(header) == 1 and (sep := next((c for c in ";\t|" if c in (header[0] or "")), None)):
        raise LoaderError(label, f"the values are separated by {sep!r}, not commas; save the "
                                "file as comma-separated CSV (UTF-8)")  # fmt: skip
    return _named(label, header, table.slice(1).to_pandas(types_mapper=_arrow_dtype))


def _csv_problem(data: bytes, error: Exception) -> str:
    """Explain a CSV parse error with the row number, re-reading on one thread to find it."""
    bad: list = []

    def handler(row) -> str:
        bad.append(row)
        return "skip"

    read = pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False)
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                               invalid_row_handler=handler)  # fmt: skip
    try:
        pacsv.read_csv(pa.py_buffer(data), read, parse, _CSV_TYPES)
    except (pa.ArrowException, ValueError):
        pass  # the handler has seen the first bad row, if any
    if bad:
        row = bad[0]
        where = f"row {row.number}" if row.number is not None else "a row"
        text = row.text if len(row.text) <= 60 else row.text[:57] + "..."
        return (
            f"the file could not be read as CSV: {where} has {row.actual_columns} values but "
            f"the header row has {row.expected_columns} columns ('{text}'). Check for a missing "
            "or extra comma, or a quote that is not closed"
        )
    return f"the file could not be read as CSV ({str(error).strip()})"


def _read_xlsx(label: str, data: bytes, table: str, bounds: Bounds) -> dict[str, pd.DataFrame]:
    import openpyxl

    _bounds.check_xlsx_size(label, data, bounds)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        what = f"the file could not be opened as an Excel workbook ({type(error).__name__})"
        raise LoaderError(label, what) from None
    try:
        sheets = {name.strip().lower(): name for name in book.sheetnames}
        wanted = {t: sheets[t] for t in TABLE_NAMES if t in sheets}
        if not wanted and len(book.sheetnames) == 1:
            wanted = {table: book.sheetnames[0]}
        if table not in wanted:
            listed = ", ".join(f"'{n}'" for n in book.sheetnames)
            raise LoaderError(label,
                              f"the workbook has no sheet named '{table}' (sheets: {listed})")
        frames = {}
        for name, sheet in wanted.items():
            rows = []
            for values in book[sheet].iter_rows(values_only=True):
                rows.append(values)
                if len(rows) > bounds.max_rows + 1 or len(values) > bounds.max_columns:
                    _bounds.check_table(label, name, list(values), len(rows) - 1, bounds)
            if not rows or all(v is None for v in rows[0]):
                raise LoaderError(label, f"the sheet '{sheet}' has no header row in row 1")
            width, body = max(len(r) for r in rows), rows[1:]
            header = list(rows[0]) + [None] * (width - len(rows[0]))
            columns = {i: pd.Series([r[i] if i < len(r) else None for r in body], dtype=object)
                       for i in range(width)}  # fmt: skip
            frames[name] = _named(label, header, pd.DataFrame(columns, index=range(len(body))))
        return frames
    except (LoaderError, UploadRefused):
        raise
    except Exception as error:
        raise LoaderError(label, f"the workbook could not be read ({error!r})") from None
    finally:
        book.close()


def _records(label: str, items: object, name: str) -> list[dict]:
    if not isinstance(items, list):
        raise LoaderError(label, f"'{name}' must be a list of objects")
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise LoaderError(label, f"item {i} of '{name}' is not an object ({{...}})")
    return items


def _read_json(label: str, data: bytes, table: str, bounds: Bounds) -> dict[str, pd.DataFrame]:
    text = _require_utf8(label, data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise LoaderError(label, f"the file is not valid JSON: {e.msg} at line {e.lineno}, "
                                f"column {e.colno}") from None  # fmt: skip
    except RecursionError:
        raise LoaderError(label, "the JSON is nested too deeply to be an upload (lists and "
                                 "objects within each other hundreds of levels deep)") from None
    _bounds.check_json_document(label, document, bounds)
    if isinstance(document, list):
        document = {table: document}
    if not isinstance(document, dict) or not any(t in document for t in TABLE_NAMES):
        raise LoaderError(label, f"the JSON must be a list of {table} or an object with a "
                                f"'{table}' list (and optionally 'interviews')")  # fmt: skip
    lists = {t: list(_records(label, document[t], t)) for t in TABLE_NAMES if t in document}
    nested: list[dict] = []
    for i, visit in enumerate(lists.get("visits", []), start=1):
        if "interviews" in visit:
            visit = lists["visits"][i - 1] = dict(visit)
            children = visit.pop("interviews")
            children = [] if children is None else children
            for child in _records(label, children, f"visit {i}'s interviews"):
                missing = child.get("visit_id") is None or child.get("visit_id") == ""
                nested.append({**child, "visit_id": visit.get("visit_id")} if missing else child)
    if nested:
        lists["interviews"] = lists.get("interviews", []) + nested
    return {t: pd.DataFrame(items, index=range(len(items))) for t, items in lists.items()}


_WHOLE = (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32())


def _arrow_dtype(kind: pa.DataType) -> object:
    """The pandas dtype a Parquet column becomes, so that validation checks it as it is: true/
    false with gaps as ``boolean`` and whole numbers with gaps as ``Int64`` (pandas would make
    Python objects and floats of them), text as pandas' ``str``; everything else as pandas
    makes it (dates: ``datetime64``, see :func:`_read_parquet`)."""
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    if kind in _WHOLE:
        return pd.Int64Dtype()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype("pyarrow", na_value=np.nan)
    return None


def _as_text_in_arrow(table: pa.Table) -> pa.Table:
    """Decimals (Spark, databases) become their text in Arrow, which parses them in bulk:
    pandas would make a Python ``Decimal`` of every cell."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.large_string()))
    return table


def _read_parquet(label: str, data: bytes, bounds: Bounds) -> pd.DataFrame:
    _bounds.check_parquet_size(label, data, bounds)
    try:
        table = _as_text_in_arrow(pq.read_table(io.BytesIO(data)))
        frame = table.to_pandas(types_mapper=_arrow_dtype, date_as_object=False)
    except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
        raise LoaderError(label, f"the file could not be read as Parquet ({error!r})") from None
    default = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    return frame.reset_index(drop=default)  # a stored index is data: keep it as columns


def read_tables(source: UploadSource, table: str, bounds: Bounds | None = None
                ) -> tuple[str, dict[str, pd.DataFrame], int]:
    """Read the tables of one file: (name shown, tables by name, row number of the first data
    row: 2 below a header for CSV and XLSX, 1 for JSON and Parquet), within ``bounds``
    (:class:`~screening.ingest.bounds.Bounds`; default: its defaults)."""
    bounds = bounds or Bounds()
    label, data = read_source(source)
    suffix = suffix_of(label)
    if suffix == ".csv":
        _bounds.check_csv_shape(label, data, bounds)
        tables, first = {table: _read_csv(label, data, table)}, 2
    elif suffix == ".xlsx":
        tables, first = _read_xlsx(label, data, table, bounds), 2
    elif suffix == ".json":
        tables, first = _read_json(label, data, table, bounds), 1
    else:
        tables, first = {table: _read_parquet(label, data, bounds)}, 1
    for name, frame in tables.items():
        _bounds.check_table(label, name, list(frame.columns), len(frame), bounds)
        _bounds.check_cells(label, name, frame, bounds, first)
    return label, tables, first


def read_raw(source: UploadSource, table: str = "visits") -> dict[str, pd.DataFrame]:
    """Read the tables of one file without validating them.

    Parameters
    ----------
    source : str, os.PathLike, (name, bytes) or binary file object
        A ``.csv``, ``.xlsx``, ``.json`` or ``.parquet`` file (see :func:`read_source`).
    table : str, default ``"visits"``
        The table a single-table file (CSV, Parquet, a bare JSON list, a one-sheet workbook)
        holds.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables found by name (e.g. ``visits`` and ``interviews`` from a workbook). CSV
        columns are text; other formats keep their types. ``frame.attrs["first_row"]`` is the
        row number of the first data row.

    Raises
    ------
    LoaderError
        The file cannot be used (not found, unknown type, empty, not UTF-8, malformed).
    """
    _, frames, first_row = read_tables(source, table)
    for frame in frames.values():
        frame.attrs["first_row"] = first_row
    return frames




__all__ = ["FORMATS", "TABLE_NAMES", "UploadSource", "read_raw", "read_source", "read_tables",
           "suffix_of"]
