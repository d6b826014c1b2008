"""Read a CSV file: its encoding and separator found (:mod:`screening.ingest.dialect`), every
cell as text, the columns whose values repeat dictionary-encoded while it is read, the header
row naming the columns (:func:`named_columns`, shared with the workbook reader)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from screening.errors import LoaderError
from screening.ingest import bounds as _bounds
from screening.ingest.bounds import Bounds
from screening.ingest.dialect import ENCODING_NAMES, decode, separator, shown, utf16
from screening.ingest.interpretations import Interpretation, Reading
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOME_COLUMNS, VISIT_COLUMNS, Kind
from screening.ingest.text import arrow_dtype
from screening.ingest.validation import blank_rows

_REPEATING_KINDS = (Kind.BOOL, Kind.CHOICE, Kind.DATE, Kind.INT)
_MAX_CSV_COLUMNS = 4096
_CSV_TYPES = pacsv.ConvertOptions(
    column_types=dict.fromkeys((f"f{i}" for i in range(_MAX_CSV_COLUMNS)), pa.string())
)  # every cell as text; fmt: skip


def named_columns(label: str, header: list[object], frame: pd.DataFrame) -> pd.DataFrame:
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


_KNOWN_NAMES = frozenset(s.name for specs in (VISIT_COLUMNS, INTERVIEW_COLUMNS, OUTCOME_COLUMNS)
                         for s in specs)  # fmt: skip
"""Every column name of the upload format (a CSV's separator is the one that finds most)."""
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


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_csv(label: str, data: bytes, table_name: str, bounds: Bounds,
              encoding: str | None = None) -> tuple[pd.DataFrame, list[Interpretation]]:
    """Read a CSV file (:mod:`screening.ingest.dialect`: its encoding and separator found,
    and reported as interpretations when they are not UTF-8 and commas)."""
    converted = utf16(data) if encoding is None else None
    if converted is not None:
        data, encoding = converted, "utf-16"
    sep = separator(data, _KNOWN_NAMES)
    _bounds.check_csv_shape(label, data, bounds, sep)
    # a line break can be inside a value only between quotes: without any quote character
    # every line break ends a row, and Arrow splits the file without tracking quotes (a
    # third faster on a million rows)
    parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=b'"' in data,
                               ignore_empty_lines=False)
    read = pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22)
    try:
        table = pacsv.read_csv(pa.py_buffer(data), read, parse, _csv_types(data, parse, table_name))
    except (pa.ArrowException, ValueError) as error:
        if encoding is None and not _is_utf8(data):  # a code page, or a clear refusal
            text, encoding = decode(label, data)
            return read_csv(label, text, table_name, bounds, encoding)
        raise LoaderError(label, _csv_problem(data, error, sep)) from None
    if table.num_columns > _MAX_CSV_COLUMNS:
        raise LoaderError(label, f"the file has more than {_MAX_CSV_COLUMNS} columns")
    header = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    if table.num_rows == 0 or all(not (h or "").strip() for h in header):
        raise LoaderError(label, "the file has no header row")
    if len(header) == 1 and (other := next((c for c in ";\t|" if c in (header[0] or "")), None)):
        raise LoaderError(label, f"the values are separated by {other!r}, not commas; save the "
                                "file as comma-separated CSV (UTF-8)")  # fmt: skip
    notes = []
    if encoding is not None:
        notes.append(Interpretation(label, table_name, "", Reading.ENCODING, 0,
                                    ENCODING_NAMES.get(encoding, encoding)))
    if sep != ",":
        notes.append(Interpretation(label, table_name, "", Reading.SEPARATOR, 0, shown(sep)))
    return named_columns(label, header, table.slice(1).to_pandas(types_mapper=arrow_dtype)), notes


def _csv_problem(data: bytes, error: Exception, sep: str = ",") -> str:
    """Explain a CSV parse error with the row number, re-reading on one thread to find it."""
    bad: list = []

    def handler(row) -> str:
        bad.append(row)
        return "skip"

    read = pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False)
    parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False,
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
            f"or extra {'comma' if sep == ',' else repr(shown(sep))}, or a quote that is not "
            "closed"
        )
    return f"the file could not be read as CSV ({str(error).strip()})"


__all__ = ["named_columns", "read_csv"]
