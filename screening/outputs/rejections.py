"""Rejected rows for people: grouped by row, one visit's error shown once, in their language.

The rejected table of a load has one row per failing cell, with an English ``message`` (kept
as it is in the rejected CSV and the API). A receipt shows something else:

* one line per rejected row of the file, with each failing cell of that row as a sentence;
* an interview rejected only because its visit was rejected (``visit_rejected``) is not a line
  of its own: the visit's line says "and its N interviews" (the CSV keeps every row);
* each sentence is rendered in the page's language from the cell's reason code, column and
  value and the column's limits in the upload contract, through translated templates
  (``uploads.po``), never by translating the English message; a reason this module does not
  know falls back to the English message.

:func:`rejected_lines` makes the receipt's lines; :func:`row_messages` gives every rejected
row its sentences (for the file with the errors marked).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from screening.ingest.local import AZERBAIJANI
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, ColumnSpec, Kind
from screening.ingest.validation import REJECTED_COLUMNS
from screening.outputs.exports import neutralised
from screening.translation import N_, gettext, has_text, text

SPECS: dict[str, dict[str, ColumnSpec]] = {
    "visits": {s.name: s for s in VISIT_COLUMNS},
    "interviews": {s.name: s for s in INTERVIEW_COLUMNS},
}
CELL_FIELDS = ("source", "table", "row", "column", "value", "reason", "message", "visit_id",
               "worker_ref")
ALREADY_STORED = "already_stored"
VISIT_REJECTED = "visit_rejected"
SHOWN_ROWS = 5
"""At most this many other row numbers are named in a sentence (then "and N more")."""

WRONG_TYPE = {
    Kind.INT: N_("'{value}' in {column} is not a whole number; use digits such as 12."),
    Kind.NUMBER: N_("'{value}' in {column} is not a number; use digits such as 42.5."),
    Kind.BOOL: N_("'{value}' in {column} is not true/false; use true/false, yes/no or 1/0."),
    Kind.DATE: N_("'{value}' in {column} is not a date; use a date such as 2024-03-15."),
}
OR_EMPTY = N_("Or leave the cell empty for unknown.")
NOT_A_LINK = N_("'{value}' cannot be a {column}: the characters / \\ ? # and control characters "
                "(and '.' or '..' alone) cannot be part of a link to it; use letters, digits, "
                "'-', '_' or '.'.")
NUL = N_("The cell holds a NUL character (0x00), which cannot be stored; remove it.")
CANNOT_READ = N_("'{value}' cannot be read as {column}.")
MISSING = N_("{column} is required but the cell is empty.")
BETWEEN = N_("{value} is out of range: {column} must be between {low} and {high}.")
AT_LEAST = N_("{value} is out of range: {column} must be at least {low}.")
AT_MOST = N_("{value} is out of range: {column} must be at most {high}.")
EXCEEDS = N_("{column} ({value}) must not be more than {other} in the same row.")
CHOICE = N_("'{value}' is not an allowed {column}; allowed values: {choices}.")
SUGGEST = N_("Did you mean '{suggestion}'?")
DUPLICATE = N_("{column} '{value}' appears more than once; also in row(s) {rows}.")
DUPLICATE_IN_VISIT = N_("{column} '{value}' appears more than once for visit '{visit}'; also "
                        "in row(s) {rows}.")
UNKNOWN_VISIT = N_("The visit '{value}' is not among the visits of this upload.")
PARENT_REJECTED = N_("The visit '{value}' was rejected (visits row {row}), so this interview "
                     "cannot be used.")
PARENT_REJECTED_NO_ROW = N_("The visit '{value}' was rejected, so this interview cannot be "
                            "used.")
STORED_CHANGED = N_("Visit '{value}' is already stored and this row (or its interviews) "
                    "differs from it; to replace it, tick '{option}' and upload the file again "
                    "(the earlier version is kept).")
AND_MORE = N_("{rows} and {n} more")


@dataclass(frozen=True)
class Problem:
    """One failing cell in words: its column, value, reason code and the sentence."""

    column: str
    value: str | None
    reason: str
    sentence: str


@dataclass
class RejectedLine:
    """One rejected row of the file as a receipt shows it.

    ``interviews`` counts the interview rows left out only because this visit was rejected
    (``interview_rows``: their row numbers, in order), shown as "and its N interviews".
    """

    source: str
    table: str
    row: int | None
    visit_id: str | None
    worker_ref: str | None
    problems: list[Problem] = field(default_factory=list)
    interviews: int = 0
    interview_rows: list[int] = field(default_factory=list)

    @property
    def rows_text(self) -> str:
        """The interview rows as ranges (``12–15, 20``); empty when none is known.

        >>> line = RejectedLine("v.csv", "visits", 2, "V1", None, interview_rows=[12, 13, 14, 20])
        >>> line.rows_text
        '12–14, 20'
        """
        return row_ranges(self.interview_rows)


def _choices(lang: str, spec: ColumnSpec) -> str:
    """The allowed values of a choice column; in Azerbaijani each with the Azerbaijani word the
    upload also accepts (``construction (tikinti)``)."""
    words = {value: name for name, value in AZERBAIJANI.get(spec.name, {}).items()}
    if lang != "az" or not words:
        return ", ".join(spec.choices or ())
    return ", ".join(f"{c} ({words[c]})" if c in words else c for c in spec.choices or ())


def row_ranges(rows: list[int]) -> str:
    """Row numbers as ranges: ``[3, 4, 5, 9]`` -> ``3–5, 9``.

    >>> row_ranges([3, 4, 5, 9, 11, 12]), row_ranges([])
    ('3–5, 9, 11–12', '')
    """
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = prev = None
    for row in [*ordered, None]:
        if start is not None and (row is None or row != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if row is not None and start is None:
            start = row
        prev = row
    return ", ".join(parts)


def _as_dict(cell: object) -> dict:
    if isinstance(cell, dict):
        return {k: cell.get(k) for k in CELL_FIELDS}
    return {k: getattr(cell, k, None) for k in CELL_FIELDS}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _rows_text(lang: str, rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS])
    if len(rows) > SHOWN_ROWS:
        return gettext(lang, AND_MORE, rows=shown, n=len(rows) - SHOWN_ROWS)
    return shown


def reason_words(code: str, lang: str) -> str:
    """A reason code in plain words in ``lang`` (the keyed string ``reason_<code>``; the code
    itself when it has none).

    >>> reason_words("unknown_choice", "en"), reason_words("no_such_code", "az")
    ('not an allowed value', 'no_such_code')
    """
    key = f"reason_{code}"
    return text(lang, key) if has_text(key) else code


class _Context:
    """What a sentence may need from the other rejected cells: the rows of each duplicate
    key, and the row where each rejected visit is."""

    def __init__(self, cells: list[dict]) -> None:
        self.duplicates: dict[tuple, list[int]] = {}
        self.visit_rows: dict[str, int] = {}
        for c in cells:
            if c["reason"] == "duplicate_id" and c["row"] is not None:
                key = (c["source"], c["table"], c["column"], c["value"],
                       c["visit_id"] if c["table"] == "interviews" else None)
                self.duplicates.setdefault(key, []).append(int(c["row"]))
            if c["table"] == "visits" and c["visit_id"] and c["row"] is not None:
                self.visit_rows.setdefault(str(c["visit_id"]), int(c["row"]))


def _wrong_type(c: dict, spec: ColumnSpec | None, lang: str, values: dict) -> str:
    value = c["value"] or ""
    if "\x00" in value or "\\x00" in value:
        return gettext(lang, NUL)
    if spec is None:
        return gettext(lang, CANNOT_READ, **values)
    if spec.kind in WRONG_TYPE:
        sentence = gettext(lang, WRONG_TYPE[spec.kind], **values)
        return sentence if spec.required else f"{sentence} {gettext(lang, OR_EMPTY)}"
    if spec.name == "visit_id":
        return gettext(lang, NOT_A_LINK, **values)
    return gettext(lang, CANNOT_READ, **values)


def describe(cell: object, lang: str, context: _Context | None = None) -> str:
    """The sentence for one failing cell in ``lang``, from its reason, column and value.

    Parameters
    ----------
    cell : object or dict
        A cell of the rejected table (attributes or keys ``table``, ``column``, ``value``,
        ``reason``, ``message``, ...).
    lang : str
        ``en`` or ``az``.
    context : optional
        The other cells, for the rows named by a duplicate or a rejected visit.

    Examples
    --------
    >>> cell = {"table": "visits", "column": "sector", "value": "servises",
    ...         "reason": "unknown_choice"}
    >>> describe(cell, "en")
    "'servises' is not an allowed sector; allowed values: construction, agriculture, \
services. Did you mean 'services'?"
    """
    c = _as_dict(cell)
    context = context or _Context([c])
    table, column, reason = c["table"], c["column"], c["reason"]
    spec = SPECS.get(table, {}).get(column)
    value = "" if c["value"] is None else str(c["value"])
    shown = value if len(value) <= 60 else value[:57] + "..."
    values = {"value": shown, "column": column}
    if reason == "wrong_type":
        return _wrong_type(c, spec, lang, values)
    if reason == "missing_value":
        return gettext(lang, MISSING, column=column)
    if reason == "out_of_range" and spec is not None and (spec.ge, spec.le) != (None, None):
        low, high = _number(spec.ge), _number(spec.le)
        template = (BETWEEN if spec.ge is not None and spec.le is not None
                    else AT_LEAST if spec.ge is not None else AT_MOST)
        return gettext(lang, template, low=low, high=high, **values)
    if reason == "exceeds_column" and spec is not None and spec.at_most:
        return gettext(lang, EXCEEDS, other=spec.at_most, **values)
    if reason == "unknown_choice" and spec is not None and spec.choices:
        sentence = gettext(lang, CHOICE, choices=_choices(lang, spec), **values)
        close = difflib.get_close_matches(value.strip().lower(), spec.choices, n=1)
        return sentence + (" " + gettext(lang, SUGGEST, suggestion=close[0]) if close else "")
    if reason == "duplicate_id":
        key = (c["source"], table, column, c["value"],
               c["visit_id"] if table == "interviews" else None)
        others = [r for r in context.duplicates.get(key, []) if r != c["row"]]
        rows = _rows_text(lang, others)
        if table == "interviews" and c["visit_id"]:
            return gettext(lang, DUPLICATE_IN_VISIT, visit=c["visit_id"], rows=rows, **values)
        return gettext(lang, DUPLICATE, rows=rows, **values)
    if reason == "unknown_visit":
        return gettext(lang, UNKNOWN_VISIT, **values)
    if reason == VISIT_REJECTED:
        row = context.visit_rows.get(str(c["visit_id"] or value))
        if row is None:
            return gettext(lang, PARENT_REJECTED_NO_ROW, **values)
        return gettext(lang, PARENT_REJECTED, row=row, **values)
    if reason == ALREADY_STORED:
        return gettext(lang, STORED_CHANGED, option=text(lang, "correction_option"), **values)
    return str(c["message"] or "")


def _folded(cells: list[dict]) -> tuple[dict[str, list[int]], set[int]]:
    """Interview rows rejected only because their visit's row was rejected: the rows per
    visit, and the positions of those cells."""
    rejected_visits = {str(c["visit_id"]) for c in cells if c["table"] == "visits"
                       and c["visit_id"]}
    rows: dict[str, list[int]] = {}
    positions: set[int] = set()
    for i, c in enumerate(cells):
        if (c["table"] == "interviews" and c["reason"] == VISIT_REJECTED
                and str(c["visit_id"]) in rejected_visits):
            positions.add(i)
            if c["row"] is not None:
                rows.setdefault(str(c["visit_id"]), []).append(int(c["row"]))
            else:
                rows.setdefault(str(c["visit_id"]), [])
    return rows, positions


def rejected_lines(cells: Iterable[object], lang: str) -> list[RejectedLine]:
    """The receipt's lines: one per rejected row, one visit's error shown once.

    Parameters
    ----------
    cells : iterable
        The rejected cells (objects or dicts with the rejected table's columns), in order.
    lang : str
        ``en`` or ``az``: the language of the sentences.

    Returns
    -------
    list of RejectedLine
        In the order of the cells (visits first as the store keeps them). A visit's line has
        ``interviews`` = the number of its interview rows rejected only because of it; those
        rows have no line of their own. An interview that also fails on its own keeps its line
        for the other cells.
    """
    all_cells = [_as_dict(c) for c in cells]
    context = _Context(all_cells)
    folded, skip = _folded(all_cells)
    lines: dict[tuple, RejectedLine] = {}
    for i, c in enumerate(all_cells):
        if i in skip:
            continue
        key = ((c["source"], c["table"], int(c["row"])) if c["row"] is not None
               else ("cell", i))
        line = lines.get(key)
        if line is None:
            line = lines[key] = RejectedLine(c["source"], c["table"], c["row"], c["visit_id"],
                                             c["worker_ref"])
        line.problems.append(Problem(c["column"], c["value"], c["reason"],
                                     describe(c, lang, context)))
    attached: set[str] = set()
    for line in lines.values():
        visit = str(line.visit_id)
        if line.table == "visits" and visit in folded and visit not in attached:
            attached.add(visit)
            line.interview_rows = folded[visit]
            line.interviews = sum(1 for c in (all_cells[i] for i in skip)
                                  if str(c["visit_id"]) == visit)
    return list(lines.values())


def row_messages(cells: Iterable[object], lang: str) -> dict[tuple[str, str, int],
                                                              list[Problem]]:
    """Every rejected row's problems, for the file with the errors marked.

    Returns ``(source, table, row) -> problems`` (cells without a row number are left out:
    they cannot be placed in the file). Each interview keeps its own sentence here, also when
    its visit's error is the reason.
    """
    all_cells = [_as_dict(c) for c in cells]
    context = _Context(all_cells)
    out: dict[tuple[str, str, int], list[Problem]] = {}
    for c in all_cells:
        if c["row"] is None:
            continue
        out.setdefault((c["source"], c["table"], int(c["row"])), []).append(
            Problem(c["column"], c["value"], c["reason"], describe(c, lang, context)))
    return out


WORDS_COLUMNS = ("explanation", "reason_words")
"""Columns the rejected CSV adds after the rejected table's: the sentence and the reason in
the language asked for (``message`` stays the English of the library)."""


def rejected_csv(cells: Iterable[object], lang: str = "en") -> str:
    """Every rejected cell as CSV (one row per cell, nothing grouped), formula starts
    neutralised: the rejected table's columns, then :data:`WORDS_COLUMNS` in ``lang``.

    >>> cell = {"source": "v.csv", "table": "visits", "row": 2, "column": "age",
    ...         "value": "x", "reason": "missing_value", "message": "age is required."}
    >>> rejected_csv([cell], "az").splitlines()[0].split(",")[-2:]
    ['explanation', 'reason_words']
    """
    rows = [_as_dict(c) for c in cells]
    context = _Context(rows)
    frame = pd.DataFrame(
        [{**{k: c.get(k) for k in REJECTED_COLUMNS}, "explanation": describe(c, lang, context),
          "reason_words": reason_words(str(c["reason"]), lang)} for c in rows],
        columns=[*REJECTED_COLUMNS, *WORDS_COLUMNS])
    return neutralised(frame).to_csv(index=False)


__all__ = ["WORDS_COLUMNS", "Problem", "RejectedLine", "describe",
           "reason_words", "rejected_csv", "rejected_lines", "row_messages", "row_ranges"]
