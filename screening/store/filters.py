"""The follow-up list's filters: checked once, then spelled as conditions on its entries.

Filter values are bound as query parameters, never written into the SQL text. The search is a
prefix of the visit, site or employer id, in any case, answered by an index range on the
entries' lower-case search keys (see :mod:`screening.store.entries`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, literal, literal_column, or_, true

from screening.ingest.records import SECTORS
from screening.store.engine import check_text
from screening.store.entries import FollowUpEntry
from screening.store.reviews import check_choice
from screening.store.tables import REVIEW_STATUSES, TIERS

E = FollowUpEntry
NO_REVIEW = "none"
"""The ``review_status`` filter value for visits without any review event."""
GROUPS: tuple[str, ...] = ("site",)
"""Ways to group the list: ``site`` shows each site once, at its most urgent current visit."""
MAX_SEARCH = 200
"""The longest search text accepted."""


@dataclass(frozen=True)
class ListFilters:
    """What the list is narrowed to; every field optional (None: no filter).

    ``q`` keeps visits whose visit id, site id or employer id starts with it, ignoring case
    (letters outside ASCII are matched exactly on SQLite). ``group="site"`` keeps each site's
    most urgent current visit (the filters apply to that visit).
    """

    region: tuple[str, ...] | None = None
    sector: tuple[str, ...] | None = None
    tier: tuple[str, ...] | None = None
    review_status: tuple[str, ...] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    uploaded_by: int | None = None
    q: str | None = None
    group: str | None = None

    @classmethod
    def of(cls, *, region: str | Sequence[str] | None = None,
           sector: str | Sequence[str] | None = None, tier: str | Sequence[str] | None = None,
           review_status: str | Sequence[str] | None = None,
           date_from: dt.date | None = None, date_to: dt.date | None = None,
           uploaded_by: int | None = None, q: str | None = None,
           group: str | None = None) -> ListFilters:
        """Checked filters from plain values (a str or a sequence of str for the choices).

        Raises
        ------
        StoreError
            An unknown sector, tier, review status or group; control characters in a region
            or the search; a search longer than :data:`MAX_SEARCH`.
        """
        regions = _choices("region", region)
        for value in regions or ():
            check_text("region", value, line=True)
        q = q.strip() if isinstance(q, str) else None
        if q:
            check_text("search", q, limit=MAX_SEARCH, line=True)
        if group is not None:
            check_choice("group", group, GROUPS)
        return cls(regions, _choices("sector", sector, SECTORS), _choices("tier", tier, TIERS),
                   _choices("review status", review_status, (*REVIEW_STATUSES, NO_REVIEW)),
                   date_from, date_to, None if uploaded_by is None else int(uploaded_by),
                   q or None, group)

    def as_dict(self) -> dict[str, Any]:
        """The filters as plain data (for a fingerprint or a log line)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _choices(name: str, value: str | Sequence[str] | None,
             allowed: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else tuple(value)
    for item in values if allowed is not None else ():
        check_choice(name, item, allowed)
    return values


WIDE_PERIOD = dt.timedelta(days=62)
"""A period longer than this is filtered while walking the sort's index, not by the date
index (on SQLite, whose planner does not know how many visits a period holds)."""


def conditions(filters: ListFilters, dialect: str, *, date_index: bool = True) -> list:
    """SQL conditions on the entries for ``filters`` (values bound as parameters).

    With ``date_index=False`` a wide period (:data:`WIDE_PERIOD`, or open at one end) keeps
    SQLite off the date index: a page in another order then walks that order's index and
    skips the visits outside the period, instead of sorting every visit of the period.
    """
    f, out = filters, []
    for column, values in ((E.region, f.region), (E.sector, f.sector),
                           (E.review_status, f.review_status)):
        if values is not None:
            out.append(column.in_(values) if values else false())
    if f.tier is not None:
        out.append(E.tier_rank.in_([TIERS.index(t) for t in f.tier]) if f.tier else false())
    date = E.visit_date
    wide = (f.date_from is None or f.date_to is None
            or f.date_to - f.date_from > WIDE_PERIOD)
    if dialect == "sqlite" and not date_index and wide:
        date = literal_column("+follow_up_entries.visit_date")  # unary +: no index
    if f.date_from is not None:
        out.append(date >= (f.date_from if date is E.visit_date else f.date_from.isoformat()))
    if f.date_to is not None:
        out.append(date <= (f.date_to if date is E.visit_date else f.date_to.isoformat()))
    if f.uploaded_by is not None:
        out.append(E.uploaded_by == f.uploaded_by)
    if f.group == "site":
        out.append(E.site_lead == true())
    if f.q:
        low = func.lower(literal(f.q))
        if dialect == "postgresql":
            low = low.collate("C")
        high = low.concat("\U0010ffff")  # above every text that starts with the search
        out.append(or_(*(and_(c >= low, c < high)
                         for c in (E.visit_key, E.site_key, E.employer_key))))
    return out


__all__ = ["GROUPS", "MAX_SEARCH", "NO_REVIEW", "WIDE_PERIOD", "ListFilters", "conditions"]
