"""Formula injection neutralised in text a spreadsheet will open (CSV downloads).

CSV text has no cell types, so a spreadsheet decides what a cell is when it opens the file, and
it may split the file on another separator than the comma (``;`` in the Azerbaijani, German and
French locales, or a tab): every piece of a text cell that would start a cell after such a split
and starts like a formula gets a leading apostrophe. An XLSX file does have cell types: its text
is written as text cells (XlsxWriter's ``write_string``), which no spreadsheet runs, so it shows
exactly what was typed, with no apostrophe.
"""

from __future__ import annotations

import re

import pandas as pd

_RISKY = re.compile(r"(^|[,;\t|\r\n])([=+\-@\t\r])")
"""A formula start at the beginning of the text or after a separator a spreadsheet may split on
(comma, semicolon, tab, pipe, line break)."""


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
        series = out[column]
        if isinstance(series.dtype, pd.StringDtype):  # whole column at once, in C
            out[column] = series.str.replace(_RISKY.pattern, r"\1'\2", regex=True)
        elif pd.api.types.is_string_dtype(series) or series.dtype == object:
            if series.isna().all():  # an empty column (no review yet, say): nothing to do
                continue
            values = series.astype(object)
            out[column] = values.map(lambda v: neutral_text(v) if isinstance(v, str) else v)
    return out


__all__ = ["neutral_text", "neutralised"]
