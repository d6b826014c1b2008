"""How a CSV file is written: its encoding and its separator, found before it is parsed.

Excel's "CSV" in an Azerbaijani (or Turkish) Windows is Windows-1254 text separated by ``;``
(the list separator where the decimal separator is a comma); in a Russian Windows it is
Windows-1251; "Unicode Text" is UTF-16 separated by tabs. Such a file is read, and the receipt
says how (:class:`~screening.ingest.interpretations.Reading` ``encoding``, ``separator``):

- **encoding**: UTF-8 (with or without a byte-order mark) as it is; UTF-16 by its byte-order
  mark; otherwise the Windows code page that reads the file best among those used here
  (:data:`CODE_PAGES`). Azerbaijani written in Windows-1251 letters puts Cyrillic and Latin
  letters in one word (``Ю?ki`` for ``Şəki``), which real Cyrillic text never does; when that
  does not decide, ``charset-normalizer`` judges which reading is language. Windows-1254 has no
  ``ə``: Excel wrote ``?`` in its place, and the receipt says in which cells.
- **separator**: the one of ``,``, ``;`` and tab that splits the header row into the most
  column names the upload format knows (then into the most columns).
"""

from __future__ import annotations

import codecs
import csv
import re

from screening.errors import LoaderError

CODE_PAGES: tuple[str, ...] = ("cp1254", "cp1251")
"""The Windows code pages Excel writes CSV in here: Latin-script Azerbaijani (and Turkish)
Windows, and Cyrillic (Russian) Windows."""
SEPARATORS: tuple[str, ...] = (",", ";", "\t")
_SAMPLE = 1 << 16
_WORD = re.compile(r"[^\W\d_]+")
_NAMES = {",": ",", ";": ";", "\t": "tab"}


def _mixed_words(text: str) -> int:
    """Words holding both Cyrillic and Latin letters (what a wrong code page makes)."""
    mixed = 0
    for word in _WORD.findall(text):
        cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
        if cyrillic and any(c.isascii() for c in word):
            mixed += 1
    return mixed


def _code_page(sample: bytes) -> str | None:
    """The code page of :data:`CODE_PAGES` that reads ``sample`` best, or None."""
    readings = {}
    for name in CODE_PAGES:
        try:
            readings[name] = _mixed_words(sample.decode(name))
        except UnicodeDecodeError:
            continue
    if not readings:
        return None
    fewest = min(readings.values())
    tied = [name for name in CODE_PAGES if readings.get(name) == fewest]
    if len(tied) == 1:
        return tied[0]
    from charset_normalizer import from_bytes

    match = from_bytes(sample, cp_isolation=tied).best()
    return match.encoding if match is not None and match.encoding in tied else tied[0]


def utf16(data: bytes) -> bytes | None:
    """A UTF-16 file (by its byte-order mark: Excel's "Unicode Text") as UTF-8, else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def decode(label: str, data: bytes) -> tuple[bytes, str | None]:
    """The file as UTF-8 bytes, and the encoding it was read from (None: it was UTF-8).

    Raises
    ------
    LoaderError
        Neither UTF-8 nor a code page of :data:`CODE_PAGES`, naming the first byte that is
        not UTF-8 and how to save the file.

    Examples
    --------
    >>> decode("v.csv", "region\\nŞəki".encode())
    (b'region\\n\\xc5\\x9e\\xc9\\x99ki', None)
    >>> decode("v.csv", "region\\nŞəki-Zaqatala, ağır iş".encode("cp1254", "replace"))[1]
    'cp1254'
    """
    converted = utf16(data)
    if converted is not None:
        return converted, "utf-16"
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError as error:
        problem = error
    name = _code_page(data[:_SAMPLE])
    if name is not None:
        try:
            return data.decode(name).encode("utf-8"), name
        except UnicodeDecodeError:
            pass
    raise not_utf8(label, data, problem.start, ", nor is it Windows-1254 or Windows-1251 text")


def not_utf8(label: str, data: bytes, start: int, also: str = "") -> LoaderError:
    """The refusal of a file that is not UTF-8: the first byte that is not (at ``start``), its
    line, what else was tried (``also``) and how to save the file.

    >>> str(not_utf8("v.csv", b"ab\\xff", 2))  # doctest: +ELLIPSIS
    "v.csv: the file is not UTF-8 text: byte 0xff at byte offset 2 (line 1) cannot be read. ..."
    """
    line = data.count(b"\n", 0, start) + 1
    byte = data[start : start + 1].hex()
    return LoaderError(
        label,
        f"the file is not UTF-8 text: byte 0x{byte} at byte offset {start} (line {line}) cannot "
        f"be read{also}. Save the file as UTF-8 (in Excel: 'CSV UTF-8'; in LibreOffice: "
        "character set 'Unicode (UTF-8)') and upload it again",
    )


ENCODING_NAMES = {"cp1254": "Windows-1254", "cp1251": "Windows-1251", "utf-16": "UTF-16"}
"""How the receipt names an encoding."""


def separator(data: bytes, known: frozenset[str]) -> str:
    """The separator of a CSV file's values, from its header row.

    Parameters
    ----------
    data : bytes
        The file as UTF-8.
    known : frozenset of str
        Column names the upload format knows (any table).

    Examples
    --------
    >>> separator(b"visit_id;region;notes\\nV1;Baku;52,5\\n", frozenset({"visit_id", "region"}))
    ';'
    >>> separator(b"visit_id,notes\\nV1,a;b\\n", frozenset({"visit_id"}))
    ','
    """
    end = data.find(b"\n", 0, _SAMPLE)  # the header's first part: a hostile one may be huge
    line = data[: end if end >= 0 else _SAMPLE].decode("utf-8", "replace").lstrip("\ufeff")

    def score(sep: str) -> tuple[int, int]:
        try:
            fields = next(csv.reader([line.rstrip("\r")], delimiter=sep), [])
        except csv.Error:  # a field over the csv module's limit: not this separator
            return 0, 0
        return sum(f.strip() in known for f in fields), len(fields)

    return max(SEPARATORS, key=lambda sep: (*score(sep), sep == ","))


def shown(sep: str) -> str:
    """A separator as the receipt names it (``tab`` for a tab)."""
    return _NAMES.get(sep, sep)


__all__ = ["CODE_PAGES", "ENCODING_NAMES", "SEPARATORS", "decode", "not_utf8", "separator",
           "shown", "utf16"]
