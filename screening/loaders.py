"""Read an upload (CSV, XLSX, JSON, Parquet) into validated visits and interviews.

A file that cannot be used at all raises :class:`~screening.errors.LoaderError` with one sentence
naming the file. Otherwise every row read ends up in a valid frame or in ``rejected`` (one row
per failing cell, see :mod:`screening.validation`): nothing is dropped or coerced silently.
Rows whose every cell is empty (spreadsheet padding, blank lines) carry no data; they are not
counted as rows read, are reported in :attr:`LoadResult.blank_rows`, and the rows after them
keep their numbers.

Row numbers are the ones a person sees: for CSV and XLSX the spreadsheet row with the header as
row 1 (the first data row is 2); for JSON and Parquet the 1-based position in the list (nested
interviews are numbered in order across all visits).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from screening.errors import LoaderError
from screening.records import INTERVIEW_COLUMNS, OUTCOME_COLUMNS, VISIT_COLUMNS, ColumnSpec
from screening.validation import ParentIds, blank_rows, empty_rejected, validate_frame

TABLES: dict[str, list[ColumnSpec]] = {
    "visits": VISIT_COLUMNS, "interviews": INTERVIEW_COLUMNS, "outcomes": OUTCOME_COLUMNS
}  # fmt: skip
"""The tables an upload can hold, with their column specs."""

FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".json", ".parquet")
"""File extensions the loaders read."""

_MAX_CSV_COLUMNS = 4096
_CSV_TYPES = pacsv.ConvertOptions(
    column_types=dict.fromkeys((f"f{i}" for i in range(_MAX_CSV_COLUMNS)), pa.string())
)  # every cell as text; fmt: skip
PathLike = str | os.PathLike


class _Receipt:
    """What every load reports: rows read, rows rejected, a summary."""

    rejected: pd.DataFrame
    rows_read: dict[str, int]
    blank_rows: dict[str, int]

    def _valid(self) -> dict[str, pd.DataFrame]:
        raise NotImplementedError

    @property
    def rejected_rows(self) -> int:
        """Number of distinct rows rejected, over all tables."""
        return int(len(self.rejected[["table", "row"]].drop_duplicates()))

    def summary(self) -> str:
        """Return a plain-language receipt: rows read, accepted and rejected per table.

        Returns
        -------
        str
            One line per table, then the count of rejected cells per reason.
        """
        lines = []
        for table, frame in self._valid().items():
            read = self.rows_read.get(table, 0)
            rejected = int(self.rejected.loc[self.rejected["table"] == table, "row"].nunique())
            line = f"{table}: {read} rows read, {len(frame)} accepted, {rejected} rejected"
            if self.blank_rows.get(table):
                line += f" ({self.blank_rows[table]} blank rows skipped)"
            lines.append(line + ".")
        for reason, count in self.rejected["reason"].value_counts().items():
            lines.append(f"  {reason}: {count} cell(s)")
        return "\n".join(lines)

    __str__ = summary


@dataclass
class LoadResult(_Receipt):
    """The result of :func:`load_upload`.

    Attributes
    ----------
    visits, interviews : pandas.DataFrame
        Valid typed rows (dtypes as in :func:`screening.validation.validate_frame`).
    rejected : pandas.DataFrame
        One row per failing cell: ``source, table, row, column, value, reason, message``.
    rows_read : dict of str to int
        Rows read per table (blank rows not counted); valid + rejected rows add up to it.
    blank_rows : dict of str to int
        Rows skipped per table because every cell was empty (not counting padding after the
        last row).
    """

    visits: pd.DataFrame
    interviews: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: dict[str, int]
    blank_rows: dict[str, int] = field(default_factory=dict)

    def _valid(self) -> dict[str, pd.DataFrame]:
        return {"visits": self.visits, "interviews": self.interviews}


@dataclass
class OutcomesResult(_Receipt):
    """The result of :func:`load_outcomes`.

    Attributes
    ----------
    outcomes : pandas.DataFrame
        Valid typed outcome rows (``visit_id``, ``outcome``, ``decided_on``, ``source``, extras).
    rejected, rows_read, blank_rows
        As in :class:`LoadResult`, for the table ``outcomes``.
    """

    outcomes: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: dict[str, int]
    blank_rows: dict[str, int] = field(default_factory=dict)

    def _valid(self) -> dict[str, pd.DataFrame]:
        return {"outcomes": self.outcomes}


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise LoaderError(path, "the file was not found")
    if path.is_dir():
        raise LoaderError(path, "this is a folder, not a file")
    if path.suffix.lower() not in FORMATS:
        supported = f"use {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
        raise LoaderError(path, f"the file type '{path.suffix}' is not supported; {supported}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoaderError(path, f"the file could not be read ({error})") from None
    if not data:
        raise LoaderError(path, "the file is empty (0 bytes)")
    return data


def _require_utf8(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise LoaderError(
            path,
            f"the file is not UTF-8 text: byte 0x{byte} at byte offset {error.start} "
            f"(line {line}) cannot be read. Save the file as UTF-8 (in Excel: "
            f"'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)') and upload it again",
        ) from None


def _named(path: Path, header: list[object], frame: pd.DataFrame) -> pd.DataFrame:
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
        raise LoaderError(path, f"the column(s) {listed} appear more than once in the header row")
    frame = frame.iloc[:, keep]
    frame.columns = names
    return frame


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
    read = pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22)
    try:
        table = pacsv.read_csv(pa.py_buffer(data), read, parse, _CSV_TYPES)
    except (pa.ArrowException, ValueError) as error:
        _require_utf8(path, data)  # a parse error may hide an encoding problem: name that first
        raise LoaderError(path, _csv_problem(data, error)) from None
    if table.num_columns > _MAX_CSV_COLUMNS:
        raise LoaderError(path, f"the file has more than {_MAX_CSV_COLUMNS} columns")
    header = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    if table.num_rows == 0 or all(not (h or "").strip() for h in header):
        raise LoaderError(path, "the file has no header row")
    if len(header) == 1 and (sep := next((c for c in ";\t|" if c in (header[0] or "")), None)):
        raise LoaderError(path, f"the values are separated by {sep!r}, not commas; save the "
                                "file as comma-separated CSV (UTF-8)")  # fmt: skip
    return _named(path, header, table.slice(1).to_pandas())


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


def _read_xlsx(path: Path, data: bytes, table: str) -> dict[str, pd.DataFrame]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        what = f"the file could not be opened as an Excel workbook ({type(error).__name__})"
        raise LoaderError(path, what) from None
    try:
        sheets = {name.strip().lower(): name for name in book.sheetnames}
        wanted = {t: sheets[t] for t in TABLES if t in sheets}
        if not wanted and len(book.sheetnames) == 1:
            wanted = {table: book.sheetnames[0]}
        if table not in wanted:
            listed = ", ".join(f"'{n}'" for n in book.sheetnames)
            raise LoaderError(path, f"the workbook has no sheet named '{table}' (sheets: {listed})")
        frames = {}
        for name, sheet in wanted.items():
            rows = list(book[sheet].iter_rows(values_only=True))
            if not rows or all(v is None for v in rows[0]):
                raise LoaderError(path, f"the sheet '{sheet}' has no header row in row 1")
            width, body = max(len(r) for r in rows), rows[1:]
            header = list(rows[0]) + [None] * (width - len(rows[0]))
            columns = {i: pd.Series([r[i] if i < len(r) else None for r in body], dtype=object)
                       for i in range(width)}  # fmt: skip
            frames[name] = _named(path, header, pd.DataFrame(columns, index=range(len(body))))
        return frames
    except LoaderError:
        raise
    except Exception as error:
        raise LoaderError(path, f"the workbook could not be read ({error!r})") from None
    finally:
        book.close()


def _records(path: Path, items: object, name: str) -> list[dict]:
    if not isinstance(items, list):
        raise LoaderError(path, f"'{name}' must be a list of objects")
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise LoaderError(path, f"item {i} of '{name}' is not an object ({{...}})")
    return items


def _read_json(path: Path, data: bytes, table: str) -> dict[str, pd.DataFrame]:
    text = _require_utf8(path, data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise LoaderError(path, f"the file is not valid JSON: {e.msg} at line {e.lineno}, "
                                f"column {e.colno}") from None  # fmt: skip
    if isinstance(document, list):
        document = {table: document}
    if not isinstance(document, dict) or not any(t in document for t in TABLES):
        raise LoaderError(path, f"the JSON must be a list of {table} or an object with a "
                                f"'{table}' list (and optionally 'interviews')")  # fmt: skip
    lists = {t: list(_records(path, document[t], t)) for t in TABLES if t in document}
    nested: list[dict] = []
    for i, visit in enumerate(lists.get("visits", []), start=1):
        if "interviews" in visit:
            visit = lists["visits"][i - 1] = dict(visit)
            children = visit.pop("interviews")
            children = [] if children is None else children
            for child in _records(path, children, f"visit {i}'s interviews"):
                missing = child.get("visit_id") is None or child.get("visit_id") == ""
                nested.append({**child, "visit_id": visit.get("visit_id")} if missing else child)
    if nested:
        lists["interviews"] = lists.get("interviews", []) + nested
    return {t: pd.DataFrame(items, index=range(len(items))) for t, items in lists.items()}


def _read_parquet(path: Path, data: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
        raise LoaderError(path, f"the file could not be read as Parquet ({error!r})") from None
    default = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    return frame.reset_index(drop=default)  # a stored index is data: keep it as columns


def _read(path: PathLike, table: str) -> tuple[dict[str, pd.DataFrame], int]:
    """Read the tables of one file and the row number of their first data row."""
    path = Path(path)
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return {table: _read_csv(path, data)}, 2
    if suffix == ".xlsx":
        return _read_xlsx(path, data, table), 2
    if suffix == ".json":
        return _read_json(path, data, table), 1
    return {table: _read_parquet(path, data)}, 1


def read_raw(path: PathLike, table: str = "visits") -> dict[str, pd.DataFrame]:
    """Read the tables of one file without validating them.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv``, ``.xlsx``, ``.json`` or ``.parquet`` file.
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
    frames, first_row = _read(path, table)
    for frame in frames.values():
        frame.attrs["first_row"] = first_row
    return frames


def _table(
    path: PathLike, raw: pd.DataFrame, name: str, first_row: int, *, required: bool,
    parent: ParentIds | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:  # fmt: skip
    """Validate one table: (valid, rejected, the rows read without blanks, blank rows)."""
    blank = blank_rows(raw)
    raw = raw[~blank] if blank.any() else raw
    padding = len(blank) - 1 - int(np.flatnonzero(~blank).max(initial=-1))  # after the last row
    if required and len(raw) == 0:
        raise LoaderError(path, f"the file has no data rows for '{name}' (only a header or blanks)")
    valid, rejected = validate_frame(
        raw, TABLES[name], source=str(path), table=name, first_row=first_row, parent=parent
    )
    return valid, rejected, raw, int(blank.sum()) - padding


def load_upload(visits_path: PathLike, interviews_path: PathLike | None = None) -> LoadResult:
    """Load and validate an upload: visits, and interviews from the same or a second file.

    Parameters
    ----------
    visits_path : str or os.PathLike
        Visits as ``.csv``, ``.parquet``, ``.xlsx`` (sheet ``visits``, optional sheet
        ``interviews``) or ``.json`` (``{"visits": [...], "interviews": [...]}`` or a list of
        visits, each with an optional nested ``interviews`` list).
    interviews_path : str or os.PathLike, optional
        A separate interviews file (any of the formats).

    Returns
    -------
    LoadResult
        Valid visits and interviews, the rejected cells and the rows read per table.
        Interviews of a visit that is not in the upload are rejected as ``unknown_visit``, of
        a rejected visit as ``visit_rejected``.

    Raises
    ------
    LoaderError
        A file cannot be used: not found, unknown extension, empty, header only, not UTF-8,
        invalid JSON, missing sheet, missing required column, malformed CSV.

    Examples
    --------
    >>> result = load_upload("examples/visits.csv", "examples/interviews.csv")
    >>> print(result.summary())
    visits: 300 rows read, 300 accepted, 0 rejected.
    interviews: 948 rows read, 948 accepted, 0 rejected.
    >>> bad = load_upload("examples/visits-with-errors.csv")
    >>> print(bad.summary())
    visits: 8 rows read, 1 accepted, 7 rejected.
    interviews: 0 rows read, 0 accepted, 0 rejected.
      wrong_type: 3 cell(s)
      duplicate_id: 2 cell(s)
      unknown_choice: 1 cell(s)
      exceeds_column: 1 cell(s)
    >>> print(bad.rejected[["row", "column", "reason"]].head(3).to_string(index=False))
     row                   column         reason
       2                 visit_id   duplicate_id
       3                   sector unknown_choice
       4 workers_without_contract exceeds_column
    """
    tables, first = _read(visits_path, "visits")
    if "visits" not in tables:
        raise LoaderError(visits_path, "the file holds no 'visits' table")
    source_i, raw_i, first_i = visits_path, tables.get("interviews"), first
    if interviews_path is not None:
        others, first_i = _read(interviews_path, "interviews")
        if "interviews" not in others:
            raise LoaderError(interviews_path, "the file holds no 'interviews' table")
        if raw_i is not None and not blank_rows(raw_i).all():
            raise LoaderError(
                interviews_path,
                f"interviews are also given in {visits_path}; give them in one file only",
            )
        source_i, raw_i = interviews_path, others["interviews"]
    raw_v = tables["visits"]
    visits, rejected_v, raw_v, blank_v = _table(visits_path, raw_v, "visits", first, required=True)
    if raw_i is None:
        raw_i = pd.DataFrame({"visit_id": [], "worker_ref": []}, dtype=object)
    parent = ParentIds.of(raw_v, first, visits) if len(raw_i) else None
    interviews, rejected_i, raw_i, blank_i = _table(
        source_i, raw_i, "interviews", first_i, required=interviews_path is not None, parent=parent
    )
    parts = [r for r in (rejected_v, rejected_i) if len(r)]
    rejected = pd.concat(parts, ignore_index=True) if parts else empty_rejected()
    return LoadResult(
        visits=visits,
        interviews=interviews,
        rejected=rejected,
        rows_read={"visits": len(raw_v), "interviews": len(raw_i)},
        blank_rows={"visits": blank_v, "interviews": blank_i},
    )


def load_outcomes(path: PathLike) -> OutcomesResult:
    """Load and validate an outcomes file (training labels).

    Parameters
    ----------
    path : str or os.PathLike
        Columns ``visit_id, outcome, decided_on`` and optionally ``source``; any format
        (sheet or JSON key ``outcomes``, or a single sheet / bare list).

    Returns
    -------
    OutcomesResult
        Valid outcome rows, the rejected cells and the rows read.

    Raises
    ------
    LoaderError
        The file cannot be used.
    """
    tables, first = _read(path, "outcomes")
    if "outcomes" not in tables:
        raise LoaderError(path, "the file holds no 'outcomes' table")
    raw = tables["outcomes"]
    outcomes, rejected, raw, blank = _table(path, raw, "outcomes", first, required=True)
    return OutcomesResult(
        outcomes=outcomes,
        rejected=rejected,
        rows_read={"outcomes": len(raw)},
        blank_rows={"outcomes": blank},
    )


__all__ = [
    "FORMATS",
    "TABLES",
    "LoadResult",
    "OutcomesResult",
    "load_outcomes",
    "load_upload",
    "read_raw",
]
