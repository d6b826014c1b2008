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
import pyarrow.compute as pc

from screening.errors import LoaderError
from screening.ingest.bounds import Bounds
from screening.ingest.interpretations import Interpretation, Reading
from screening.ingest.readers import FORMATS, UploadSource, read_raw, read_tables
from screening.ingest.records import (
    INTERVIEW_COLUMNS,
    OUTCOME_COLUMNS,
    VISIT_COLUMNS,
    ColumnSpec,
    Kind,
)
from screening.ingest.regions import Regions
from screening.ingest.text import STR, mask
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
    interpretations: list[Interpretation]

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
        lines.extend(f"Read: {item.message()}" for item in self.interpretations)
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
    interpretations : list of Interpretation
        What was read in a local form (the file's encoding and separator, decimal commas,
        dates day.month.year, choices in other capitals or in Azerbaijani, region spellings),
        in the accepted rows: nothing is changed silently
        (:mod:`screening.ingest.interpretations`).
    """

    visits: pd.DataFrame
    interviews: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: dict[str, int]
    blank_rows: dict[str, int] = field(default_factory=dict)
    interpretations: list[Interpretation] = field(default_factory=list)

    def _valid(self) -> dict[str, pd.DataFrame]:
        return {"visits": self.visits, "interviews": self.interviews}


@dataclass
class OutcomesResult(_Receipt):
    """The result of :func:`load_outcomes`.

    Attributes
    ----------
    outcomes : pandas.DataFrame
        Valid typed outcome rows (``visit_id``, ``outcome``, ``decided_on``, ``source``, extras).
    rejected, rows_read, blank_rows, interpretations
        As in :class:`LoadResult`, for the table ``outcomes``.
    """

    outcomes: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: dict[str, int]
    blank_rows: dict[str, int] = field(default_factory=dict)
    interpretations: list[Interpretation] = field(default_factory=list)

    def _valid(self) -> dict[str, pd.DataFrame]:
        return {"outcomes": self.outcomes}


def _table(
    label: str, raw: pd.DataFrame, name: str, first_row: int, *, required: bool,
    parent: ParentIds | None = None, regions: Regions | None = None,
    notes: list[Interpretation] | None = None, file_notes: tuple[Interpretation, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:  # fmt: skip
    """Validate one table: (valid, rejected, the rows read without blanks, blank rows); what
    was read in a local form is added to ``notes`` (after ``file_notes``, how its file was
    read)."""
    blank = blank_rows(raw)
    raw = raw[~blank] if blank.any() else raw
    padding = len(blank) - 1 - int(np.flatnonzero(~blank).max(initial=-1))  # after the last row
    if required and len(raw) == 0:
        raise LoaderError(label,
                          f"the file has no data rows for '{name}' (only a header or blanks)")
    found: list[Interpretation] = []
    valid, rejected = validate_frame(raw, TABLES[name], source=label, table=name,
                                     first_row=first_row, parent=parent, regions=regions,
                                     interpretations=found)  # fmt: skip
    if any(n.kind is Reading.ENCODING and n.example != "UTF-16" for n in file_notes):
        found.extend(_lost_letters(valid, TABLES[name], label, name))
    if notes is not None:
        notes.extend([*file_notes, *found])
    return valid, rejected, raw, int(blank.sum()) - padding


_LOST = r"\pL\?\pL"
"""A '?' between two letters: where Excel wrote '?' for a letter its code page lacks (ə)."""


def _lost_letters(valid: pd.DataFrame, specs: list[ColumnSpec], source: str, table: str
                  ) -> list[Interpretation]:
    """The text cells of accepted rows where a letter was lost to the file's code page."""
    text = {s.name for s in specs if s.kind is Kind.TEXT} | (set(valid.columns) -
                                                             {s.name for s in specs})
    out = []
    for column in valid.columns:
        if column not in text or valid[column].dtype != STR:
            continue
        cells = mask(pc.match_substring_regex(valid[column].array.__arrow_array__(), _LOST))
        where = np.flatnonzero(cells)
        if where.size:
            out.append(Interpretation(source, table, column, Reading.MISSING_LETTER,
                                      int(where.size), str(valid[column].iloc[where[0]])))
    return out


def load_upload(visits_path: UploadSource, interviews_path: UploadSource | None = None,
                bounds: Bounds | None = None, regions: Regions | None = None) -> LoadResult:
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
    regions : screening.ingest.regions.Regions, optional
        The configured regions a visit's ``region`` must name (None: any text).
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
    label_v, tables, first, notes_v = read_tables(visits_path, "visits", bounds)
    if "visits" not in tables:
        raise LoaderError(label_v, "the file holds no 'visits' table")
    source_i, raw_i, first_i, notes_i = label_v, tables.get("interviews"), first, []
    if interviews_path is not None:
        label_i, others, first_i, notes_i = read_tables(interviews_path, "interviews", bounds)
        if "interviews" not in others:
            raise LoaderError(label_i, "the file holds no 'interviews' table")
        if raw_i is not None and not blank_rows(raw_i).all():
            raise LoaderError(
                label_i, f"interviews are also given in {label_v}; give them in one file only"
            )
        source_i, raw_i = label_i, others["interviews"]
    raw_v, read = tables["visits"], []
    visits, rejected_v, raw_v, blank_v = _table(label_v, raw_v, "visits", first, required=True,
                                                regions=regions, notes=read,
                                                file_notes=tuple(notes_v))  # fmt: skip
    if raw_i is None:
        raw_i = pd.DataFrame({"visit_id": [], "worker_ref": []}, dtype=object)
    parent = ParentIds.of(raw_v, first, visits) if len(raw_i) else None
    interviews, rejected_i, raw_i, blank_i = _table(
        source_i, raw_i, "interviews", first_i, required=interviews_path is not None,
        parent=parent, notes=read,
        file_notes=tuple(notes_i) if interviews_path is not None else tuple(notes_v))
    parts = [r for r in (rejected_v, rejected_i) if len(r)]
    rejected = pd.concat(parts, ignore_index=True) if parts else empty_rejected()
    return LoadResult(
        visits=visits,
        interviews=interviews,
        rejected=rejected,
        rows_read={"visits": len(raw_v), "interviews": len(raw_i)},
        blank_rows={"visits": blank_v, "interviews": blank_i},
        interpretations=_once(read),
    )


def _once(notes: list[Interpretation]) -> list[Interpretation]:
    """Each note once: a file holding both tables is read once, so it is said once."""
    seen, out = set(), []
    for note in notes:
        key = (note.source, note.column, note.kind, note.table if note.column else "")
        if key not in seen:
            seen.add(key)
            out.append(note)
    return out


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
    label, tables, first, notes = read_tables(path, "outcomes")
    if "outcomes" not in tables:
        raise LoaderError(label, "the file holds no 'outcomes' table")
    raw, read = tables["outcomes"], []
    outcomes, rejected, raw, blank = _table(label, raw, "outcomes", first, required=True,
                                            notes=read, file_notes=tuple(notes))
    return OutcomesResult(
        outcomes=outcomes,
        rejected=rejected,
        rows_read={"outcomes": len(raw)},
        blank_rows={"outcomes": blank},
        interpretations=read,
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
