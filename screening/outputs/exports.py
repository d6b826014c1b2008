"""The follow-up list, the referral cases and the rejected rows as downloads (CSV, XLSX),
formula injection neutralised: one writer for the API and the pages.

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
from collections.abc import Iterable, Iterator
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

    @property
    def headers(self) -> dict[str, str]:
        """The headers that make a browser save it under its file name."""
        return {"Content-Disposition": f"attachment; filename={self.filename}"}


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
            values = series.astype(object)
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
    """The follow-up list's rows, arriving in chunks (lists of rows or frames), as a CSV
    download written chunk by chunk (formula starts neutralised as in :func:`list_download`;
    the header once, from the first chunk's columns; dates as ``YYYY-MM-DD``).

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

    return StreamedDownload(pieces(), "text/csv", f"{filename}.csv")


REFERRAL_COLUMNS: dict[str, tuple[str, str]] = {
    "case_id": ("case", "iş"),
    "visit_id": ("visit", "yoxlama"),
    "region": ("region", "region"),
    "sector": ("sector", "sahə"),
    "status": ("status", "status"),
    "overdue": ("overdue", "gecikib"),
    "hours_left": ("hours left (negative: overdue)", "qalan saat (mənfi: gecikib)"),
    "detected_at": ("detected at (UTC)", "aşkar edilib (UTC)"),
    "due_at": ("due at (UTC)", "son vaxt (UTC)"),
    "workers": ("workers concerned", "aidiyyəti olan işçilər"),
    "indicators": ("indicators", "göstəricilər"),
    "suggested": ("suggested recipients", "tövsiyə olunan alıcılar"),
    "referred_at": ("referred at (UTC)", "yönləndirilib (UTC)"),
    "recipient": ("recipient", "alıcı"),
    "reference": ("reference number", "istinad nömrəsi"),
    "channel": ("channel", "kanal"),
    "reason": ("reason not referred", "yönləndirilməmə səbəbi"),
    "notes": ("notes", "qeydlər"),
    "version": ("version", "versiya"),
}
"""Columns of the referral export with their headers in English and Azerbaijani."""
REFERRAL_VALUES: dict[str, tuple[str, str]] = {
    "open": ("open", "açıq"), "referred": ("referred", "yönləndirilib"),
    "not_referred": ("not referred", "yönləndirilməyib"),
    "special_police": ("special police unit (Ministry of Internal Affairs)",
                       "xüsusi polis bölməsi (Daxili İşlər Nazirliyi)"),
    "migration_service": ("State Migration Service", "Dövlət Miqrasiya Xidməti"),
    "minors_commission": ("commission on minors' affairs",
                          "yetkinlik yaşına çatmayanların işləri üzrə komissiya"),
    "other": ("other (see the notes)", "digər (qeydlərə baxın)"),
    "phone": ("phone", "telefon"), "letter": ("letter", "məktub"),
    "electronic": ("electronic system", "elektron sistem"),
}
"""Words of the referral export in English and Azerbaijani."""


def referral_frame(cases: list[dict], lang: str = "en") -> pd.DataFrame:
    """Referral cases (with their clock) as a table in ``lang``: headers and words translated,
    times in UTC, lists joined with ``;``.

    >>> import datetime as dt
    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> case = {"case_id": 1, "visit_id": "V1", "status": "open", "overdue": True,
    ...         "seconds_left": -5400, "due_at": t, "workers": ["W1", "W2"],
    ...         "suggested": ["special_police"]}
    >>> row = referral_frame([case], "az").iloc[0]
    >>> row["status"], bool(row["gecikib"]), float(row["qalan saat (mənfi: gecikib)"])
    ('açıq', True, -1.5)
    >>> row["aidiyyəti olan işçilər"]
    'W1;W2'
    """
    index = 1 if lang == "az" else 0

    def word(value: object) -> object:
        return REFERRAL_VALUES[value][index] if isinstance(value, str) and value in \
            REFERRAL_VALUES else value

    rows = []
    for case in cases:
        row = {}
        for key in REFERRAL_COLUMNS:
            value = case.get(key)
            if key == "hours_left":
                left = case.get("seconds_left")
                value = None if left is None else round(left / 3600, 2)
            elif key in ("workers", "suggested"):
                value = ";".join(word(v) if key == "suggested" else v for v in value or [])
            elif key in ("status", "recipient", "channel"):
                value = word(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            row[REFERRAL_COLUMNS[key][index]] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=[v[index] for v in REFERRAL_COLUMNS.values()])


def referral_download(cases: list[dict], fmt: str, lang: str = "en") -> Download:
    """The referral cases as a CSV or XLSX download in ``lang``, formula injection
    neutralised."""
    frame = neutralised(referral_frame(cases, lang))
    if fmt == "csv":
        return Download(frame.to_csv(index=False).encode("utf-8"), "text/csv",
                        f"referrals-{lang}.csv")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="referrals")
    return Download(buffer.getvalue(), XLSX_TYPE, f"referrals-{lang}.xlsx")


def rejected_csv(cells: Iterable[object]) -> str:
    """Rejected cells (objects with the rejected table's attributes) as neutralised CSV text."""
    frame = pd.DataFrame([{c: getattr(cell, c) for c in REJECTED_COLUMNS} for cell in cells],
                         columns=list(REJECTED_COLUMNS))
    return neutralised(frame).to_csv(index=False)


__all__ = ["REFERRAL_COLUMNS", "REFERRAL_VALUES", "XLSX_OPTIONS", "XLSX_TYPE", "Download",
           "StreamedDownload", "list_csv_stream",
           "list_download", "neutral_text", "neutralised", "referral_download", "referral_frame",
           "rejected_csv"]
