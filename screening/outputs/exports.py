"""The follow-up list, the referral cases and the rejected rows as downloads (CSV, XLSX): one
writer for the API, the pages and the CLI.

Two forms of the follow-up list:

* **for people** (``lang`` given: the pages' downloads, ``/api/v1/export.xlsx?lang=az``):
  headers, tiers, sectors, review and referral words in the reader's language, the referral
  clock and the selection in words, real date cells, tier colours, a frozen header with a
  filter (:mod:`screening.outputs.list_export`); its CSV is UTF-8 with a byte-order mark, in
  the language's separator, decimal mark and date form;
* **for machines** (no ``lang``: ``/api/v1/export.csv``): the contract's column names, codes
  and ISO dates in plain UTF-8 CSV, as DESIGN.md's follow-up list contract says; its XLSX has
  the same headers and codes in typed, formatted cells.

Formula injection is neutralised in every CSV (:mod:`screening.outputs.neutral`); XLSX text
is written as text cells, which no spreadsheet runs, so it shows exactly what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from screening.ingest.validation import REJECTED_COLUMNS
from screening.outputs.list_export import LIST_COLUMNS, list_csv, list_workbook
from screening.outputs.neutral import neutral_text, neutralised
from screening.outputs.spreadsheets import XLSX_OPTIONS, Column, TableBook, csv_bytes
from screening.translation import N_, gettext, text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Download:
    """A file to send: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers that make a browser save it under its file name."""
        return {"Content-Disposition": f"attachment; filename={self.filename}"}


def _machine_columns(frame: pd.DataFrame) -> list[Column]:
    kinds = {c.key: (c.kind, c.digits) for c in LIST_COLUMNS}
    columns = []
    for key in frame.columns:
        kind, digits = kinds.get(key, ("text", 2))
        columns.append(Column(key, key, "text" if kind == "long" else kind, digits))
    return columns


def list_download(rows: list[dict], fmt: str, filename: str = "follow-up",
                  lang: str | None = None, names: dict[str, str] | None = None) -> Download:
    """The follow-up list's rows as a CSV or XLSX download.

    With ``lang`` (``en`` or ``az``) the file is for people (see the module docstring;
    ``names`` maps indicator ids to their names in ``lang``); without it, for machines: the
    contract's columns and codes, the CSV in plain UTF-8 with formula starts neutralised.
    """
    if lang is not None:
        if fmt == "csv":
            return Download(list_csv(rows, lang, names), CSV_TYPE, f"{filename}-{lang}.csv")
        return Download(list_workbook(rows, lang, names), XLSX_TYPE, f"{filename}-{lang}.xlsx")
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        return Download(neutralised(frame).to_csv(index=False).encode("utf-8"), CSV_TYPE,
                        f"{filename}.csv")
    book = TableBook("en")
    book.table("follow-up", frame, _machine_columns(frame), freeze_columns=2)
    return Download(book.close(), XLSX_TYPE, f"{filename}.xlsx")


@dataclass(frozen=True)
class StreamedDownload:
    """A file sent as it is made: its pieces of bytes, media type and file name."""

    chunks: Iterator[bytes]
    media_type: str
    filename: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers that make a browser save it under its file name."""
        return {"Content-Disposition": f"attachment; filename={self.filename}"}


def list_csv_stream(chunks: Iterable[list[dict] | pd.DataFrame], filename: str = "follow-up"
                    ) -> StreamedDownload:
    """The follow-up list's rows for machines, arriving in chunks (lists of rows or frames), as
    a CSV download written chunk by chunk (formula starts neutralised as in
    :func:`list_download`; the header once, from the first chunk's columns; ISO dates).

    >>> file = list_csv_stream(iter([[{"a": "=1", "b": 2}], [{"a": "x", "b": 3}]]))
    >>> b"".join(file.chunks).decode().splitlines()
    ['a,b', "'=1,2", 'x,3']
    """
    def pieces() -> Iterator[bytes]:
        columns = None
        for rows in chunks:
            if len(rows) == 0:
                continue
            frame = pd.DataFrame(rows, columns=columns)
            text = neutralised(frame).to_csv(index=False, header=columns is None,
                                             date_format="%Y-%m-%d")
            columns = list(frame.columns)
            yield text.encode("utf-8")
        if columns is None:
            yield b"\n"

    return StreamedDownload(pieces(), CSV_TYPE, f"{filename}.csv")


REFERRAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("case_id", N_("case"), "int"),
    ("visit_id", N_("visit"), "text"),
    ("region", N_("region"), "text"),
    ("sector", N_("sector"), "text"),
    ("status", N_("status"), "text"),
    ("overdue", N_("overdue"), "bool"),
    ("hours_left", N_("hours left (negative: overdue)"), "number"),
    ("clock", N_("time left"), "text"),
    ("detected_at", N_("detected at (UTC)"), "moment"),
    ("due_at", N_("due at (UTC)"), "moment"),
    ("workers", N_("workers concerned"), "text"),
    ("indicators", N_("indicators"), "text"),
    ("suggested", N_("suggested recipients"), "long"),
    ("referred_at", N_("referred at (UTC)"), "moment"),
    ("recipient", N_("recipient"), "text"),
    ("reference", N_("reference number"), "text"),
    ("channel", N_("channel"), "text"),
    ("reason", N_("reason not referred"), "long"),
    ("notes", N_("notes"), "long"),
    ("version", N_("version"), "int"),
)
"""Columns of the referral export: key, header (English id, translated in ``excel.po``) and
cell kind."""
REFERRAL_WORDS = {"status": "ref_", "sector": "sector_", "recipient": "rcp_",
                  "suggested": "rcp_", "channel": "chn_"}
"""The family of keyed page strings that shows each coded column of the referral export."""


def _word(lang: str, family: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return text(lang, family + value)
    except KeyError:
        return value


def referral_frame(cases: list[dict], lang: str = "en") -> pd.DataFrame:
    """Referral cases (with their clock) as a table in ``lang``: headers and words translated,
    times as UTC datetimes, lists joined with ``;``.

    >>> import datetime as dt
    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> case = {"case_id": 1, "visit_id": "V1", "status": "open", "overdue": True,
    ...         "seconds_left": -5400, "due_at": t, "workers": ["W1", "W2"],
    ...         "suggested": ["special_police"]}
    >>> row = referral_frame([case], "az").iloc[0]
    >>> row["status"], bool(row["gecikib"]), float(row["qalan saat (mənfi: gecikib)"])
    ('açıq', True, -1.5)
    >>> row["aidiyyəti olan işçilər"], row["qalan vaxt"]
    ('W1;W2', '1h 30m GECİKİB')
    """
    rows = []
    for case in cases:
        row = {}
        for key, header, _ in REFERRAL_COLUMNS:
            value = case.get(key)
            if key == "hours_left":
                left = case.get("seconds_left")
                value = None if left is None else round(left / 3600, 2)
            elif key == "clock":
                left = case.get("seconds_left")
                minutes = None if left is None else abs(int(left)) // 60
                value = text(lang, "closed") if minutes is None else text(
                    lang, "overdue_by" if case.get("overdue") else "time_left",
                    time=f"{minutes // 60}h {minutes % 60:02d}m")
            elif key in ("workers", "suggested"):
                value = ";".join(str(_word(lang, "rcp_", v)) if key == "suggested" else str(v)
                                 for v in value or [])
            elif key in REFERRAL_WORDS:
                value = _word(lang, REFERRAL_WORDS[key], value)
            row[gettext(lang, header)] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=[gettext(lang, h) for _, h, _ in REFERRAL_COLUMNS])


def referral_download(cases: list[dict], fmt: str, lang: str = "en") -> Download:
    """The referral cases as a CSV (UTF-8 with a byte-order mark, the language's separator)
    or a formatted XLSX download in ``lang``, formula injection neutralised in the CSV."""
    frame = referral_frame(cases, lang)
    columns = [Column(gettext(lang, h), gettext(lang, h), kind, 2)
               for _, h, kind in REFERRAL_COLUMNS]
    if fmt == "csv":
        return Download(csv_bytes(frame, columns, lang), CSV_TYPE, f"referrals-{lang}.csv")
    book = TableBook(lang)
    book.table(gettext(lang, N_("referral cases")), frame, columns, freeze_columns=2)
    return Download(book.close(), XLSX_TYPE, f"referrals-{lang}.xlsx")


def rejected_csv(cells: Iterable[object]) -> str:
    """Rejected cells (objects with the rejected table's attributes) as neutralised CSV text."""
    frame = pd.DataFrame([{c: getattr(cell, c) for c in REJECTED_COLUMNS} for cell in cells],
                         columns=list(REJECTED_COLUMNS))
    return neutralised(frame).to_csv(index=False)


__all__ = ["CSV_TYPE", "REFERRAL_COLUMNS", "XLSX_OPTIONS", "XLSX_TYPE", "Download",
           "StreamedDownload", "list_csv_stream",
           "list_download", "neutral_text", "neutralised", "referral_download",
           "referral_frame", "rejected_csv"]
