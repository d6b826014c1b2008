"""The pages' strings: keyed entries of the gettext catalogues (``screening/locale``).

Translators edit ``screening/locale/az/LC_MESSAGES/*.po``; ``screening.translation`` reads them.
This module gives the pages the view they use: ``translate(lang, key)`` for a named string and
``STRINGS`` (key -> English, Azerbaijani) for the tests and for pages that list keys.
"""

from __future__ import annotations

from screening.translation import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    catalogue,
    language_of,
    text,
)


def translate(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (``en`` or ``az``), with ``{name}`` fields filled in.

    Examples
    --------
    >>> translate("az", "tier_urgent")
    'təcili'
    >>> translate("en", "receipt_of", id=3, name="visits.csv")
    'Upload 3: visits.csv'
    """
    return text(lang, key, **values)


def _strings() -> dict[str, tuple[str, str]]:
    out = {}
    for key, (source, translation) in catalogue("az").keyed.items():
        english = source[0] if isinstance(source, tuple) else source
        az = translation[0] if isinstance(translation, tuple) else translation
        out[key] = (english, az or "")
    return out


STRINGS: dict[str, tuple[str, str]] = _strings()
"""Every keyed page string: key -> (English, Azerbaijani; empty when not yet translated)."""

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "STRINGS", "language_of", "translate"]
