"""Tables for people: a formatted XLSX sheet (XlsxWriter) and a CSV that Excel opens right.

One description of the columns (:class:`Column`: what is in the frame, its header, its kind)
drives both forms, so the two never disagree:

* **XLSX**: typed cells (dates and times are date cells, numbers are numbers, true/false are
  boolean cells, which a spreadsheet shows in its own language), a bold frozen header row with
  a filter, widths from the content, and the tier cells filled with the tier colours of the
  pages (:data:`TIER_COLOURS`; a test compares them with the style sheet). Text is always a
  text cell, never a formula, number or link, so it shows exactly what was typed.
* **CSV**: UTF-8 with a byte-order mark (``utf-8-sig``), without which Excel reads the
  Azerbaijani letters as Windows-1252. In Azerbaijani the file is written the way an
  Azerbaijani Excel writes and reads one: ``;`` between values, a decimal comma and
  ``dd.mm.yyyy`` dates (with ``,`` an Azerbaijani Excel puts each whole line in one cell); in
  English ``,``, a decimal point and ISO dates. Formula starts in text are neutralised
  (:mod:`screening.outputs.neutral`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from screening.outputs.neutral import neutral_text
from screening.translation import N_, gettext

TIER_COLOURS: dict[str, tuple[str, str]] = {
    "urgent": ("#B3141C", "#FFFFFF"), "high": ("#B45309", "#FFFFFF"),
    "medium": ("#B8950A", "#1D1D1D"), "low": ("#4F7F52", "#FFFFFF"),
}
"""Fill and font colour of each tier's cells: the pages' colours (``--urgent`` ... in
``screening/web/static/style.css``)."""
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False,
                "strings_to_urls": False, "remove_timezone": True}
"""XlsxWriter's options: text stays text (never a formula, number or link)."""
DATE_FORMATS = {"en": "yyyy-mm-dd", "az": "dd.mm.yyyy"}
MOMENT_FORMATS = {"en": "yyyy-mm-dd hh:mm", "az": "dd.mm.yyyy hh:mm"}
CSV_DATES = {"en": "%Y-%m-%d", "az": "%d.%m.%Y"}
CSV_MOMENTS = {"en": "%Y-%m-%d %H:%M", "az": "%d.%m.%Y %H:%M"}
SEPARATORS = {"en": ",", "az": ";"}
DECIMAL_MARKS = {"en": ".", "az": ","}
KINDS = ("text", "long", "int", "number", "percent", "date", "moment", "bool", "tier")
"""Cell kinds: ``long`` is text that gets a wide column; ``tier`` holds a tier code whose
cell shows ``Column.words`` of it, filled with the tier's colour."""
YES_NO = {True: N_("yes"), False: N_("no")}


@dataclass(frozen=True)
class Column:
    """One column of a table for people.

    Attributes
    ----------
    key : str
        The frame's column.
    header : str
        The header as shown (already in the reader's language).
    kind : str
        One of :data:`KINDS`.
    digits : int
        Decimals shown for ``number`` and ``percent``.
    words : dict or None
        Codes shown as words (``urgent`` -> ``təcili``); other values are shown as they are.
    """

    key: str
    header: str
    kind: str = "text"
    digits: int = 2
    words: dict[str, str] | None = None

    def shown(self, value: object) -> object:
        """The value as a person reads it (a code becomes its word)."""
        if self.words and isinstance(value, str):
            return self.words.get(value, value)
        return value


def missing(value: object) -> bool:
    """Whether a cell is empty: None, NaN, NaT, pandas' NA or an empty string."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


def as_moment(value: object) -> dt.datetime | None:
    """A date or time (object, pandas Timestamp or ISO text) as a naive UTC datetime."""
    if missing(value):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _width(column: Column, values: list[object]) -> float:
    if column.kind == "long":
        return 70
    lengths = sorted(len(str(column.shown(v))) for v in values[:2000] if not missing(v))
    typical = lengths[int(len(lengths) * 0.9)] if lengths else 0
    if column.kind in ("date", "moment"):
        typical = max(typical, 11 if column.kind == "date" else 17)
    return float(min(max(len(column.header) * 0.9, typical + 2, 8), 50))


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: Any, lang: str) -> None:  # noqa: ANN401 - an xlsxwriter Workbook
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                       "bg_color": "#E8ECF1", "bottom": 1})
        self.date = book.add_format({"num_format": DATE_FORMATS.get(lang, "yyyy-mm-dd")})
        self.moment = book.add_format({"num_format": MOMENT_FORMATS.get(lang,
                                                                        "yyyy-mm-dd hh:mm")})
        self.int = book.add_format({"num_format": "0"})
        self.numbers: dict[tuple[str, int], Any] = {}
        self.tiers = {tier: book.add_format({"bg_color": fill, "font_color": font,
                                             "bold": True})
                      for tier, (fill, font) in TIER_COLOURS.items()}
        self.book = book

    def number(self, digits: int, percent: bool = False) -> Any:  # noqa: ANN401
        key = ("%" if percent else "n", digits)
        if key not in self.numbers:
            pattern = "0" + ("." + "0" * digits if digits else "") + ("%" if percent else "")
            self.numbers[key] = self.book.add_format({"num_format": pattern})
        return self.numbers[key]


class TableBook:
    """An XLSX workbook of tables for people, written in memory with XlsxWriter (text kept as
    text): add sheets with :meth:`table` and :meth:`notes`, then take the bytes with
    :meth:`close`.

    >>> book = TableBook("az")
    >>> _ = book.table("list", pd.DataFrame({"d": ["2025-03-01"]}), [Column("d", "Tarix", "date")])
    >>> book.close()[:2]
    b'PK'
    """

    def __init__(self, lang: str = "en") -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {**XLSX_OPTIONS, "in_memory": True})
        self.formats = _Formats(self.book, lang)

    def table(self, name: str, frame: pd.DataFrame, columns: list[Column],
              freeze_columns: int = 0) -> Any:  # noqa: ANN401 - an xlsxwriter Worksheet
        """A sheet with ``frame``'s ``columns``: typed cells, a bold frozen header with a
        filter, widths from the content, tier cells in the tier colours."""
        formats = self.formats
        sheet = self.book.add_worksheet(name[:31])
        for j, column in enumerate(columns):
            sheet.write_string(0, j, column.header, formats.header)
            values = frame[column.key].tolist() if column.key in frame else [None] * len(frame)
            sheet.set_column(j, j, _width(column, values))
            _write_column(sheet, j, column, values, formats)
        sheet.freeze_panes(1, freeze_columns)
        sheet.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))
        return sheet

    def notes(self, name: str, rows: list[tuple[str, str]]) -> Any:  # noqa: ANN401
        """A sheet of two columns: a name and what it means (each column's meaning, say)."""
        sheet = self.book.add_worksheet(name[:31])
        wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        bold = self.book.add_format({"bold": True, "valign": "top", "text_wrap": True})
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 100)
        for i, (label, meaning) in enumerate(rows):
            sheet.write_string(i, 0, label, bold)
            sheet.write_string(i, 1, meaning, wrap)
        return sheet

    def close(self) -> bytes:
        """Finish the workbook and return its bytes."""
        self.book.close()
        return self.buffer.getvalue()


def _write_column(sheet: Any, j: int, column: Column, values: list[object],  # noqa: ANN401
                  formats: _Formats) -> None:
    """Write one column's cells from row 1 down, with one writer chosen per column (a cell
    whose value does not fit the column's kind is written as text)."""
    kind, shown, text = column.kind, column.shown, sheet.write_string
    for i, value in enumerate(values, start=1):
        if value is None or missing(value):
            continue
        if kind in ("date", "moment"):
            moment = as_moment(value)
            if moment is not None:
                sheet.write_datetime(i, j, moment,
                                     formats.date if kind == "date" else formats.moment)
                continue
        elif kind == "bool" and isinstance(value, bool | int):
            sheet.write_boolean(i, j, bool(value))
            continue
        elif kind in ("int", "number", "percent") and isinstance(value, int | float) \
                and not isinstance(value, bool) and math.isfinite(value):
            style = formats.int if kind == "int" else formats.number(column.digits,
                                                                     kind == "percent")
            sheet.write_number(i, j, value, style)
            continue
        elif kind == "tier":
            text(i, j, str(shown(value)), formats.tiers.get(str(value)))
            continue
        text(i, j, value if type(value) is str and not column.words else str(shown(value)))


def csv_value(column: Column, value: object, lang: str = "en") -> str:
    """One cell of the CSV for people: numbers with the language's decimal mark, dates in its
    form, true/false as words, text with formula starts neutralised.

    >>> csv_value(Column("x", "X", "number", 2), 0.5, "az")
    '0,50'
    >>> csv_value(Column("d", "D", "date"), "2025-03-01", "az")
    '01.03.2025'
    >>> csv_value(Column("t", "T"), "=1+1")
    "'=1+1"
    """
    if missing(value):
        return ""
    kind = column.kind
    mark = DECIMAL_MARKS.get(lang, ".")
    if kind in ("date", "moment"):
        moment = as_moment(value)
        if moment is not None:
            pattern = (CSV_DATES if kind == "date" else CSV_MOMENTS).get(lang, CSV_DATES["en"])
            return moment.strftime(pattern)
    elif kind == "bool" and isinstance(value, bool | int):
        return gettext(lang, YES_NO[bool(value)])
    elif kind in ("int", "number", "percent") and isinstance(value, int | float) \
            and not isinstance(value, bool) and math.isfinite(value):
        if kind == "int":
            return str(int(value))
        number = value * 100 if kind == "percent" else value
        shown = f"{number:.{column.digits}f}".replace(".", mark)
        return shown + ("%" if kind == "percent" else "")
    return neutral_text(str(column.shown(value)))


def csv_bytes(frame: pd.DataFrame, columns: list[Column], lang: str = "en") -> bytes:
    """The table as CSV for people: UTF-8 with a byte-order mark, the language's separator,
    decimal mark and date form, formula starts neutralised.

    >>> data = csv_bytes(pd.DataFrame({"a": ["ə"], "n": [1.5]}),
    ...                  [Column("a", "Ad"), Column("n", "Say", "number", 1)], "az")
    >>> data.decode("utf-8-sig").splitlines()
    ['Ad;Say', 'ə;1,5']
    >>> data[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS.get(lang, ","), lineterminator="\r\n")
    writer.writerow([neutral_text(c.header) for c in columns])
    series = [frame[c.key].tolist() if c.key in frame else [None] * len(frame)
              for c in columns]
    for values in zip(*series, strict=True):
        writer.writerow([csv_value(c, v, lang) for c, v in zip(columns, values, strict=True)])
    return out.getvalue().encode("utf-8-sig")


__all__ = ["DATE_FORMATS", "KINDS", "SEPARATORS", "TIER_COLOURS", "XLSX_OPTIONS", "Column",
           "TableBook", "as_moment", "csv_bytes", "csv_value", "missing"]
