"""The follow-up list and the rejected rows as downloads (CSV, XLSX), formula injection
neutralised: one writer for the API and the pages."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from screening.ingest.validation import REJECTED_COLUMNS

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    """A file to send: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe.

    >>> neutralised(pd.DataFrame({"a": ["=1+1", "ok", "-2", "@x"]}))["a"].tolist()
    ["'=1+1", 'ok', "'-2", "'@x"]
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            values = out[column].astype(object)
            risky = values.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA))
            out[column] = values.where(~risky, "'" + values.astype(str))
    return out


def list_download(rows: list[dict], fmt: str, filename: str = "follow-up") -> Download:
    """The follow-up list's rows as a CSV or XLSX download, formula injection neutralised."""
    frame = neutralised(pd.DataFrame(rows))
    if fmt == "csv":
        return Download(frame.to_csv(index=False).encode("utf-8"), "text/csv",
                        f"{filename}.csv")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="follow-up")
    return Download(buffer.getvalue(), XLSX_TYPE, f"{filename}.xlsx")


def rejected_csv(cells: Iterable[object]) -> str:
    """Rejected cells (objects with the rejected table's attributes) as neutralised CSV text."""
    frame = pd.DataFrame([{c: getattr(cell, c) for c in REJECTED_COLUMNS} for cell in cells],
                         columns=list(REJECTED_COLUMNS))
    return neutralised(frame).to_csv(index=False)


__all__ = ["XLSX_TYPE", "Download", "list_download", "neutralised", "rejected_csv"]
