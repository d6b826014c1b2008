"""Read an upload (CSV, XLSX, JSON, Parquet) into validated visits and interviews.

A file that cannot be used at all raises :class:`~screening.errors.LoaderError` with one sentence
naming the file. Otherwise every row read ends up in a valid frame or in ``rejected`` (one row
per failing cell, see :mod:`screening.ingest.validation`): nothing is dropped or coerced silently.
Rows whose every cell is empty (spreadsheet padding, blank lines) carry no data; they are not
counted as rows read, are reported in :attr:`LoadResult.blank_rows`, and the rows after them
keep their numbers.

Sources are paths, ``(file name, bytes)`` or binary file objects (:mod:`screening.ingest.readers`).

Row numbers are the ones a person sees: for CSV and XLSX the spreadsheet row with the header as
row 1 (the first data row is 2); for JSON and Parquet the 1-based position in the list (nested
interviews are numbered in order across all visits).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from screening.errors import LoaderError
from screening.ingest.bounds import Bounds
from screening.ingest.readers import FORMATS, UploadSource, read_raw, read_tables
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOME_COLUMNS, VISIT_COLUMNS, ColumnSpec
from screening.ingest.validation import ParentIds, blank_rows, empty_rejected, validate_frame

TABLES: dict[str, list[ColumnSpec]] = {
    "visits": VISIT_COLUMNS, "interviews": INTERVIEW_COLUMNS, "outcomes": OUTCOME_COLUMNS
}  # fmt: skip
"""The tables an upload can hold, with their column specs."""



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
        Valid typed rows (dtypes as in :func:`screening.ingest.validation.validate_frame`).
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


def _table(
    label: str, raw: pd.DataFrame, name: str, first_row: int, *, required: bool,
    parent: ParentIds | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:  # fmt: skip
    """Validate one table: (valid, rejected, the rows read without blanks, blank rows)."""
    blank = blank_rows(raw)
    raw = raw[~blank] if blank.any() else raw
    padding = len(blank) - 1 - int(np.flatnonzero(~blank).max(initial=-1))  # after the last row
    if required and len(raw) == 0:
        raise LoaderError(label,
                          f"the file has no data rows for '{name}' (only a header or blanks)")
    valid, rejected = validate_frame(
        raw, TABLES[name], source=label, table=name, first_row=first_row, parent=parent
    )
    return valid, rejected, raw, int(blank.sum()) - padding


def load_upload(visits_path: UploadSource, interviews_path: UploadSource | None = None,
                bounds: Bounds | None = None) -> LoadResult:
    """Load and validate an upload: visits, and interviews from the same or a second file.

    Parameters
    ----------
    visits_path : str, os.PathLike, (file name, bytes) or binary file object
        Visits as ``.csv``, ``.parquet``, ``.xlsx`` (sheet ``visits``, optional sheet
        ``interviews``) or ``.json`` (``{"visits": [...], "interviews": [...]}`` or a list of
        visits, each with an optional nested ``interviews`` list).
    bounds : screening.ingest.bounds.Bounds, optional
        Limits on rows, columns, cell length, JSON depth and keys and unpacked size (default:
        :class:`~screening.ingest.bounds.Bounds`'s); a file past one is refused naming it.
    interviews_path : same kinds as ``visits_path``, optional
        A separate interviews file (any of the formats). Messages and the rejected table's
        ``source`` name each file as given: a path, or the user's file name with bytes.

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
    label_v, tables, first = read_tables(visits_path, "visits", bounds)
    if "visits" not in tables:
        raise LoaderError(label_v, "the file holds no 'visits' table")
    source_i, raw_i, first_i = label_v, tables.get("interviews"), first
    if interviews_path is not None:
        label_i, others, first_i = read_tables(interviews_path, "interviews", bounds)
        if "interviews" not in others:
            raise LoaderError(label_i, "the file holds no 'interviews' table")
        if raw_i is not None and not blank_rows(raw_i).all():
            raise LoaderError(
                label_i, f"interviews are also given in {label_v}; give them in one file only"
            )
        source_i, raw_i = label_i, others["interviews"]
    raw_v = tables["visits"]
    visits, rejected_v, raw_v, blank_v = _table(label_v, raw_v, "visits", first, required=True)
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


def load_outcomes(path: UploadSource) -> OutcomesResult:
    """Load and validate an outcomes file (training labels).

    Parameters
    ----------
    path : str, os.PathLike, (file name, bytes) or binary file object
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
    label, tables, first = read_tables(path, "outcomes")
    if "outcomes" not in tables:
        raise LoaderError(label, "the file holds no 'outcomes' table")
    raw = tables["outcomes"]
    outcomes, rejected, raw, blank = _table(label, raw, "outcomes", first, required=True)
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
