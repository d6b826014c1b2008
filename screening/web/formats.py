"""Numbers and dates on the pages in the reader's language (Babel's CLDR data).

Templates use them as filters: ``{{ x | number(2) }}``, ``{{ d | day }}``, ``{{ t | moment }}``,
``{{ share | percent }}``. English pages use British conventions (``1 Mar 2025``, ``12,345.68``);
Azerbaijani pages ``01.03.2025`` and ``12.345,68``. Missing values show as a dash.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from jinja2 import pass_context

LOCALES = {"en": "en_GB", "az": "az"}
DATE_PATTERNS = {"en": "d MMM yyyy", "az": "dd.MM.yyyy"}
MOMENT_PATTERNS = {"en": "d MMM yyyy, HH:mm", "az": "dd.MM.yyyy HH:mm"}
DASH = "–"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _locale(context) -> str:  # noqa: ANN001 - a jinja2 context
    return LOCALES.get(context.get("lang"), "en_GB")


@pass_context
def number(context, value: object, digits: int = 0, trim: bool = False) -> str:  # noqa: ANN001
    """``value`` with ``digits`` decimals and the language's separators (``12.345,68`` in az);
    ``trim`` drops trailing zeros (a weight of ``1.5``, not ``1.500``)."""
    if _missing(value):
        return DASH
    pattern = "#,##0" + ("." + ("#" if trim else "0") * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(context))


@pass_context
def percent(context, value: object, digits: int = 0) -> str:  # noqa: ANN001
    """A share (0.052) as a percentage in the language's format."""
    if _missing(value):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_locale(context))


def _as_date(value: object) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@pass_context
def day(context, value: object) -> str:  # noqa: ANN001
    """A date in the language's format; text that is not a date is shown as it is."""
    parsed = _as_date(value)
    if parsed is None:
        return DASH if _missing(value) else str(value)
    if isinstance(parsed, dt.datetime):
        parsed = parsed.date()
    return format_date(parsed, DATE_PATTERNS.get(context.get("lang"), DATE_PATTERNS["en"]),
                       locale=_locale(context))


@pass_context
def moment(context, value: object) -> str:  # noqa: ANN001
    """A date and time (UTC as stored) in the language's format."""
    parsed = _as_date(value)
    if parsed is None:
        return DASH if _missing(value) else str(value)
    if not isinstance(parsed, dt.datetime):
        parsed = dt.datetime.combine(parsed, dt.time())
    return format_datetime(parsed, MOMENT_PATTERNS.get(context.get("lang"),
                                                       MOMENT_PATTERNS["en"]),
                           locale=_locale(context))


FILTERS = {"number": number, "percent": percent, "day": day, "moment": moment}
"""The filters added to the pages' Jinja environment."""

__all__ = ["FILTERS", "day", "moment", "number", "percent"]
