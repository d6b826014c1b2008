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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from screening.errors import LoaderError, UploadRefused
from screening.ingest import bounds as _bounds
from screening.ingest.bounds import Bounds
from screening.ingest.csv_files import named_columns, read_csv
from screening.ingest.dialect import not_utf8
from screening.ingest.interpretations import Interpretation
from screening.ingest.text import arrow_dtype

TABLE_NAMES: tuple[str, ...] = ("visits", "interviews", "outcomes")
"""The tables an upload can hold (sheets of a workbook, keys of a JSON object)."""

FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".json", ".parquet")
"""File extensions the loaders read."""

UploadSource = str | os.PathLike | tuple[str, bytes] | BinaryIO
"""A path, ``(file name, bytes)``, or a binary file object with a ``name``."""

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
        raise not_utf8(label, data, error.start) from None


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
            frame = pd.DataFrame(columns, index=range(len(body)))
            frames[name] = named_columns(label, header, frame)
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
        frame = table.to_pandas(types_mapper=arrow_dtype, date_as_object=False)
    except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
        raise LoaderError(label, f"the file could not be read as Parquet ({error!r})") from None
    default = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    return frame.reset_index(drop=default)  # a stored index is data: keep it as columns


def read_tables(source: UploadSource, table: str, bounds: Bounds | None = None
                ) -> tuple[str, dict[str, pd.DataFrame], int, list[Interpretation]]:
    """Read the tables of one file: (name shown, tables by name, row number of the first data
    row: 2 below a header for CSV and XLSX, 1 for JSON and Parquet, how the file was read where
    it was not UTF-8 with commas), within ``bounds`` (:class:`~screening.ingest.bounds.Bounds`;
    default: its defaults)."""
    bounds = bounds or Bounds()
    label, data = read_source(source)
    suffix = suffix_of(label)
    notes: list[Interpretation] = []
    if suffix == ".csv":
        frame, notes = read_csv(label, data, table, bounds)
        tables, first = {table: frame}, 2
    elif suffix == ".xlsx":
        tables, first = _read_xlsx(label, data, table, bounds), 2
    elif suffix == ".json":
        tables, first = _read_json(label, data, table, bounds), 1
    else:
        tables, first = {table: _read_parquet(label, data, bounds)}, 1
    for name, frame in tables.items():
        _bounds.check_table(label, name, list(frame.columns), len(frame), bounds)
        _bounds.check_cells(label, name, frame, bounds, first)
    return label, tables, first, notes


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
    _, frames, first_row, _ = read_tables(source, table)
    for frame in frames.values():
        frame.attrs["first_row"] = first_row
    return frames




__all__ = ["FORMATS", "TABLE_NAMES", "UploadSource", "read_raw", "read_source", "read_tables",
           "suffix_of"]
