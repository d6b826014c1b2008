"""The follow-up list and the rejected rows as downloads (CSV, XLSX), formula injection
neutralised: one writer for the API and the pages.

CSV text has no cell types, so a spreadsheet decides what a cell is when it opens the file, and
it may split the file on another separator than the comma (``;`` in the Azerbaijani, German and
French locales, or a tab): every piece of a text cell that would start a cell after such a split
and starts like a formula gets a leading apostrophe. An XLSX file does have cell types: its text
is written as text cells (XlsxWriter with ``strings_to_formulas=False``), which no spreadsheet
runs, so it shows exactly what was typed, with no apostrophe.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from screening.ingest.validation import REJECTED_COLUMNS

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_RISKY = re.compile(r"(^|[,;\t|\r\n])([=+\-@\t\r])")
"""A formula start at the beginning of the text or after a separator a spreadsheet may split on
(comma, semicolon, tab, pipe, line break)."""
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False,
                "strings_to_urls": False}
"""XlsxWriter's options: text stays text (never a formula, number or link)."""
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    """A file to send: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def neutral_text(text: str) -> str:
    """The text with an apostrophe before every formula start (at the beginning, or after a
    separator a spreadsheet may split the cell on).

    >>> neutral_text("Baku;=HYPERLINK(C2);x")
    "Baku;'=HYPERLINK(C2);x"
    >>> neutral_text("=1+1"), neutral_text("a,@b"), neutral_text("ok - fine")
    ("'=1+1", "a,'@b", 'ok - fine')
    """
    return _RISKY.sub(lambda m: f"{m.group(1)}'{m.group(2)}", text)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells with every formula start neutralised by an apostrophe (:func:`neutral_text`):
    the cell's start, and any piece after a comma, semicolon, tab, pipe or line break.

    >>> neutralised(pd.DataFrame({"a": ["=1+1", "ok", "-2", "@x", "Baku;=A1"]}))["a"].tolist()
    ["'=1+1", 'ok', "'-2", "'@x", "Baku;'=A1"]
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            values = out[column].astype(object)
            out[column] = values.map(lambda v: neutral_text(v) if isinstance(v, str) else v)
    return out


def list_download(rows: list[dict], fmt: str, filename: str = "follow-up") -> Download:
    """The follow-up list's rows as a CSV download (formula starts neutralised) or an XLSX
    download (text cells, shown as typed; control characters escaped by XlsxWriter)."""
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        return Download(neutralised(frame).to_csv(index=False).encode("utf-8"), "text/csv",
                        f"{filename}.csv")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter",
                        engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        frame.to_excel(writer, index=False, sheet_name="follow-up")
    return Download(buffer.getvalue(), XLSX_TYPE, f"{filename}.xlsx")


def rejected_csv(cells: Iterable[object]) -> str:
    """Rejected cells (objects with the rejected table's attributes) as neutralised CSV text."""
    frame = pd.DataFrame([{c: getattr(cell, c) for c in REJECTED_COLUMNS} for cell in cells],
                         columns=list(REJECTED_COLUMNS))
    return neutralised(frame).to_csv(index=False)


__all__ = ["XLSX_OPTIONS", "XLSX_TYPE", "Download", "list_download", "neutral_text", "neutralised",
           "rejected_csv"]
