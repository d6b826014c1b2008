"""Every user-visible string in English and Azerbaijani, from gettext catalogues read with Babel.

The translations live in ``screening/locale/az/LC_MESSAGES/*.po``, one file per topic (pages,
ingest, receipts, exports, ...), which translators edit with any PO editor (Poedit, Weblate,
Lokalize). The loader merges every file of the folder; no compiled ``.mo`` file is kept.

Two kinds of entry, both ordinary gettext:

* **English message ids** — ``gettext("az", "Upload {name}", name=...)``; the source text is the
  English and is what a missing translation falls back to. Mark a string in a lower layer with
  ``N_("...")`` (returns it unchanged) and translate it in the shell with the reader's language.
* **Keyed entries** — a ``msgctxt`` naming the string (``tier_urgent``) with the English as
  ``msgid``: what the pages use through ``text("az", "tier_urgent")``, so that a template can
  pick a string by name (``"tier_" ~ tier``).

Plural forms follow each catalogue's ``Plural-Forms`` header (``ngettext``); ``{name}`` fields
are filled with ``str.format``. A fuzzy or empty translation counts as missing: the English is
shown and ``missing()`` lists it (a test fails on any).

>>> gettext("en", "{n} rows rejected", n=3)
'3 rows rejected'
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "az")
"""English is the source language; Azerbaijani (Latin script) is translated."""
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for the catalogues without translating it (translate where it is shown)."""
    return message


@dataclass
class Catalogue:
    """One language's merged catalogues: plain ids, keyed entries and the plural rule."""

    language: str
    plain: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    keyed: dict[str, tuple[str | tuple[str, ...], str | tuple[str, ...]]] = field(
        default_factory=dict)
    """msgctxt -> (English id, translation)."""
    plural: object = staticmethod(lambda n: int(n != 1))
    files: dict[str, Path] = field(default_factory=dict)
    """Where each id or key was read (for messages about missing strings)."""


def _usable(message) -> bool:  # noqa: ANN001 - a babel Message
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


@cache
def catalogue(language: str) -> Catalogue:
    """The merged catalogue of ``language`` (read once per process)."""
    from babel.messages.pofile import read_po

    cat = Catalogue(language)
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as fh:
            po = read_po(fh, locale=language)
        if po.plural_expr:
            cat.plural = _gettext.c2py(po.plural_expr)
        for message in po:
            if not message.id:
                continue  # the header
            translation = message.string if _usable(message) else None
            if message.context:
                cat.keyed[message.context] = (message.id, translation)
                cat.files[message.context] = path
            elif translation is not None:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                cat.plain[key] = translation
                cat.files[key] = path
    return cat


def _fill(text: str, values: dict[str, object]) -> str:
    return text.format(**values) if values else text


def gettext(language: str, message: str, **values: object) -> str:
    """``message`` (an English id) in ``language``, with ``{name}`` fields filled in."""
    if language != DEFAULT_LANGUAGE:
        found = catalogue(language).plain.get(message)
        if isinstance(found, str):
            message = found
    return _fill(message, values)


def ngettext(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``language`` (``n`` is also a field)."""
    values.setdefault("n", n)
    if language != DEFAULT_LANGUAGE:
        cat = catalogue(language)
        found = cat.plain.get(singular)
        if isinstance(found, tuple):
            index = min(int(cat.plural(n)), len(found) - 1)
            return _fill(found[index], values)
    return _fill(singular if n == 1 else plural, values)


def text(language: str, key: str, **values: object) -> str:
    """The keyed string ``key`` (a ``msgctxt``) in ``language``; KeyError if no entry has it."""
    source, translation = catalogue("az").keyed[key]  # the English ids live beside the az text
    if language != DEFAULT_LANGUAGE:
        translation = catalogue(language).keyed.get(key, (source, None))[1]
        chosen = translation if translation else source
    else:
        chosen = source
    if isinstance(chosen, tuple):
        chosen = chosen[0]
    return _fill(chosen, values)


def has_text(key: str) -> bool:
    """Whether a keyed string ``key`` exists."""
    return key in catalogue("az").keyed


def language_of(value: str | None) -> str:
    """A supported language code, or the default for anything else.

    >>> language_of("az"), language_of("fr"), language_of(None)
    ('az', 'en', 'en')
    """
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None) -> str:
    """The supported language a browser prefers most (``Accept-Language``), else English.

    >>> negotiate("az-AZ,az;q=0.9,en;q=0.8"), negotiate("ru,en;q=0.5"), negotiate("fr")
    ('az', 'en', 'en')
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def missing(language: str = "az") -> list[str]:
    """Keys and ids with no usable translation in ``language`` (fuzzy or empty), with their file."""
    from babel.messages.pofile import read_po

    out = []
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=language):
                if message.id and not _usable(message):
                    name = message.context or message.id
                    out.append(f"{path.name}: {name!r}")
    return out


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_NAMES", "LOCALE_DIR", "N_", "Catalogue",
           "catalogue", "gettext", "has_text", "language_of", "missing", "negotiate",
           "ngettext", "text"]
