"""Keyset cursors of the follow-up list, and the sorts they walk.

A cursor is an opaque, URL-safe token that names a row of the list by its sort key, the
row's rank, the sort, and a fingerprint of the filters; the next (or previous) page is the
rows after (or before) that key, read from an index range however far down the list it is.
A cursor is made only by the store, but it comes back from a client, so reading one checks
everything in it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from screening.errors import StoreError
from screening.store.entries import PRIORITY_KEYS

SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "priority": (PRIORITY_KEYS, False),
    "risk": (("key_risk", "key_tier", "key_rule", "visit_row_id"), False),
    "date": (("visit_date", "visit_row_id"), True),
    "site": (("site_id", *PRIORITY_KEYS), False),
}
"""The list's sorts: the entry columns they order by and whether they run backwards.

``priority`` is the follow-up order (urgent first, then risk score, then tier; the rule score
orders the visits without a risk score), ``risk`` the risk score highest first (unknown last,
then tier and rule score), ``date`` the latest visit first, ``site`` the site ids A to Z, each
site's visits in follow-up order. ``-name`` runs a sort backwards (``-date``: oldest first).
"""
ALIASES = {"rank": "priority", "date_ascending": "-date", "visit_date": "-date",
           "-visit_date": "date"}
"""Earlier names of sorts, still accepted: ``rank``, ``date_ascending`` (the API's) and
``visit_date``, ``-visit_date`` (the store's)."""
SORT_NAMES: tuple[str, ...] = (*SORTS, *(f"-{name}" for name in SORTS), *ALIASES)
BAD_CURSOR = ("The cursor is not one this list gave out (or it was made for other filters or "
              "another sort); start again from the first page.")


@dataclass(frozen=True)
class Sort:
    """A sort of the list: its name, the entry columns it orders by, and their direction."""

    name: str
    columns: tuple[str, ...]
    descending: bool


def sort_of(name: str) -> Sort:
    """The sort called ``name`` (one of :data:`SORT_NAMES`).

    Raises
    ------
    StoreError
        An unknown name; the message lists the known ones.

    Examples
    --------
    >>> sort_of("rank")
    Sort(name='priority', columns=('key_group', 'key_risk', 'key_tier', 'key_rule', \
'visit_row_id'), descending=False)
    >>> sort_of("-date").descending, sort_of("date_ascending").name
    (False, '-date')
    >>> sort_of("tier")
    Traceback (most recent call last):
    ...
    screening.errors.StoreError: The sort must be one of priority, risk, date, site, -priority, \
-risk, -date, -site, rank, date_ascending, visit_date, -visit_date. Got 'tier' instead.
    """
    canonical = ALIASES.get(name, name)
    base = canonical[1:] if canonical.startswith("-") else canonical
    if not isinstance(name, str) or base not in SORTS:
        raise StoreError(f"The sort must be one of {', '.join(SORT_NAMES)}. Got {name!r} "
                         "instead.")
    columns, descending = SORTS[base]
    return Sort(canonical, columns, descending != canonical.startswith("-"))


def fingerprint(filters: dict[str, Any]) -> str:
    """A short fingerprint of the filters a cursor was made for.

    >>> fingerprint({"region": ("Baku",)}) == fingerprint({"region": ("Baku",)})
    True
    """
    text = json.dumps(filters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    """A row of the list to page from: its sort key, its rank, and which way to go."""

    sort: str
    filters: str
    key: tuple
    rank: int
    before: bool

    def encode(self) -> str:
        """The cursor as a URL-safe token.

        >>> c = Cursor("date", "f", (dt.date(2025, 1, 2), 7), 50, False)
        >>> decode(c.encode(), sort_of("date"), "f") == c
        True
        """
        key = [v.isoformat() if isinstance(v, dt.date) else v for v in self.key]
        data = json.dumps([1, self.sort, self.filters, key, self.rank, self.before],
                          separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


_TYPES = {"visit_date": str, "site_id": str, "key_risk": float, "key_rule": float}


def decode(token: str, sort: Sort, filters: str) -> Cursor:
    """Read a cursor token made for ``sort`` and the filters with fingerprint ``filters``.

    Raises
    ------
    StoreError
        The token is not a cursor of this list, sort and filters.

    Examples
    --------
    >>> decode("bm9wZQ", sort_of("priority"), "f")
    Traceback (most recent call last):
    ...
    screening.errors.StoreError: The cursor is not one this list gave out (or it was made for \
other filters or another sort); start again from the first page.
    """
    try:
        if not isinstance(token, str) or len(token) > 2000:
            raise ValueError
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        version, name, made_for, key, rank, before = raw
        if (version != 1 or name != sort.name or made_for != filters
                or not isinstance(key, list) or len(key) != len(sort.columns)
                or type(rank) is not int or rank < 1 or type(before) is not bool):
            raise ValueError
        values = []
        for column, value in zip(sort.columns, key, strict=True):
            wanted = _TYPES.get(column, int)
            if wanted is float and type(value) is int:
                value = float(value)
            if type(value) is not wanted:
                raise ValueError
            values.append(dt.date.fromisoformat(value) if column == "visit_date" else value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise StoreError(BAD_CURSOR) from None
    return Cursor(sort.name, filters, tuple(values), rank, before)


__all__ = ["ALIASES", "BAD_CURSOR", "SORTS", "SORT_NAMES", "Cursor", "Sort", "decode",
           "fingerprint", "sort_of"]
