"""Read the follow-up list from its entries: filters, search, sorts, pages, totals, capacity.

A page is read in two steps: the entries (:mod:`screening.store.entries`) give the page's
visits from one index range, in order, and then only those visits are joined with their
screening, latest review and referral case. Pages come two ways, and agree with each other:

- **numbered** (``page``): an offset on the covering index of the sort and filter, cheap for
  the first thousands of pages (the index entries skipped are counted, not read from the
  table);
- **keyset** (``cursor``): the rows after (or before) a row named by its sort key, the same
  cost at any depth; every page hands out the cursors of its neighbours.

Totals are counted on the same indexes and cached per store state (:mod:`.listing_cache`);
the capacity cut-off (where the follow-up capacity ends in the list) too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import (
    ARRAY,
    Engine,
    and_,
    any_,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session

from screening.errors import StoreError
from screening.pipeline import CAPACITY
from screening.priority import capacity_k
from screening.store import listing_cache
from screening.store.cursors import Cursor, Sort, decode, fingerprint, sort_of
from screening.store.engine import transaction
from screening.store.entries import PRIORITY_KEYS, FollowUpEntry
from screening.store.filters import (
    GROUPS,
    MAX_SEARCH,
    NO_REVIEW,
    ListFilters,
    conditions,
)
from screening.store.tables import ReferralCase, Review, ScreeningRow, Visit
from screening.store.uploads import as_utc

E = FollowUpEntry
MAX_LIMIT = 10_000
MAX_OFFSET = 2**40
"""The largest offset a page may start at (far beyond any store; both databases take it)."""
LIST_COLUMNS: tuple[str, ...] = (
    "rank", "visit_id", "site_id", "region", "sector", "visit_date", "tier", "risk_score",
    "rule_score", "icls_workers", "indicators", "reasons", "exploration", "selected",
    "selection_probability", "model_version", "upload_id", "version", "review_status",
    "scheduled_for", "outcome", "icls_unknown_workers", "referral_case", "referral_status",
    "referral_due_at", "employer_id", "site_visits", "within_capacity",
)  # fmt: skip
"""Columns of a page's rows (those after ``referral_due_at`` were added by issue 14)."""


@dataclass
class ListPage:
    """One page of the follow-up list and what the page around it needs.

    Attributes
    ----------
    rows : pandas.DataFrame
        Columns :data:`LIST_COLUMNS`.
    total : int
        Rows over all pages; ``total_is_estimate`` when it is a recent count that the store
        has changed since (at most ``stale_total_seconds`` old).
    page, per_page, pages : int
        The page's number (from its first rank), its size, and how many pages ``total`` makes.
    next_cursor, prev_cursor : str or None
        Cursors of the next and previous page (None at the ends).
    sort : str
    capacity : dict
        ``share`` (of the visits that are not urgent), ``urgent`` and ``follow_ups`` (visits
        in the referral queue and within the follow-up capacity, over the whole list),
        ``cutoff_rank``: the last rank of this filtered list within the capacity, urgent
        visits included (priority sort only, else None).
    site_history : dict
        With ``group="site"``: site id -> the site's other current visits, latest first.
    """

    rows: pd.DataFrame
    total: int
    total_is_estimate: bool
    page: int
    per_page: int
    pages: int
    next_cursor: str | None
    prev_cursor: str | None
    sort: str
    capacity: dict[str, Any]
    site_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _keys(sort: Sort) -> list:
    return [getattr(E, c) for c in sort.columns]


def _ordered(query, sort: Sort, backwards: bool):  # noqa: ANN001, ANN202
    descending = sort.descending != backwards
    return query.order_by(*(c.desc() if descending else c for c in _keys(sort)))


def entry_keys(session: Session, sort: Sort, where: list, *, after: Cursor | None = None,
               limit: int, offset: int = 0) -> list[tuple]:
    """``(visit_row_id, *sort key, *priority key)`` of up to ``limit`` entries in order, after
    (or before) ``after``'s key, skipping ``offset``; before a cursor they come nearest first."""
    backwards = bool(after and after.before)
    keyed = list(where)
    if after is not None:
        key = tuple_(*_keys(sort))
        keyed.append(key < tuple_(*after.key) if backwards != sort.descending
                     else key > tuple_(*after.key))
    columns = [E.visit_row_id, *_keys(sort), *(getattr(E, k) for k in PRIORITY_KEYS)]
    query = _ordered(select(*columns).where(and_(true(), *keyed)), sort, backwards)
    found = session.connection().execute(query.limit(limit).offset(offset)).all()
    return [tuple(r) for r in found]  # all at once: iterating fetches row by row


def among(column: Any, values: list, dialect: str) -> Any:
    """``column IN values`` as one parameter however many the values: an IN of an export
    chunk's 5,000 values is 5,000 parameters that SQLAlchemy names and renders, and the
    driver and the server each parse, three times per chunk (most of an export's time). On
    PostgreSQL ``column = ANY(array)``; on SQLite the values as one JSON array, read by
    ``json_each`` (the index on ``column`` is still searched value by value).

    >>> from sqlalchemy.dialects import postgresql, sqlite
    >>> str(among(Visit.id, [1, 2], "postgresql").compile(dialect=postgresql.dialect()))
    'visits.id = ANY (%(param_1)s::INTEGER[])'
    >>> " ".join(str(among(Visit.id, [1, 2], "sqlite").compile(dialect=sqlite.dialect())).split())
    'visits.id IN (SELECT anon_1.value FROM json_each(?) AS anon_1)'
    """
    if dialect == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    if dialect == "sqlite":
        listed = func.json_each(literal(json.dumps(values))).table_valued("value")
        return column.in_(select(listed.c.value))
    return column.in_(values)


def details(session: Session, row_ids: list[int]) -> pd.DataFrame:
    """The list's columns of the given visit rows (their entries' screening, the latest review
    and referral case), in the order given; ``rank`` and ``within_capacity`` left out."""
    s = ScreeningRow
    core = session.connection()  # Core rows: no ORM bookkeeping per row
    dialect = core.dialect.name
    found = core.execute(
        select(Visit.id, Visit.visit_id, Visit.site_id, Visit.region, Visit.sector,
               Visit.visit_date, s.tier, s.risk_score, s.rule_score, s.icls_workers,
               s.indicators, s.reasons, s.exploration, s.selected, s.selection_probability,
               s.model_version, Visit.upload_id, Visit.version, s.icls_unknown_workers,
               Visit.employer_id, E.site_visits)
        .join(E, E.visit_row_id == Visit.id).join(s, s.id == E.screening_id)
        .where(among(Visit.id, row_ids, dialect))).all()
    names = ["row_id", "visit_id", "site_id", "region", "sector", "visit_date", "tier",
             "risk_score", "rule_score", "icls_workers", "indicators", "reasons",
             "exploration", "selected", "selection_probability", "model_version", "upload_id",
             "version", "icls_unknown_workers", "employer_id", "site_visits"]
    by_id = {row[0]: row for row in found}
    ordered = [by_id[i] for i in row_ids]
    columns = {n: [r[k] for r in ordered] for k, n in enumerate(names) if k}
    visit_ids = columns["visit_id"]
    reviews = {v: (st, sf, o) for v, st, sf, o in core.execute(
        select(Review.visit_id, Review.status, Review.scheduled_for, Review.outcome)
        .where(Review.id.in_(select(func.max(Review.id))
                             .where(among(Review.visit_id, visit_ids, dialect))
                             .group_by(Review.visit_id))))}
    c = ReferralCase
    cases = {v: (i, st, d) for v, i, st, d in core.execute(
        select(c.visit_id, c.case_id, c.status, c.due_at).where(c.is_current, c.case_id.in_(
            select(func.max(c.case_id)).where(among(c.visit_id, visit_ids, dialect))
            .group_by(c.visit_id))))}
    none3 = (None, None, None)
    for i, name in enumerate(("review_status", "scheduled_for", "outcome")):
        columns[name] = [reviews.get(v, none3)[i] for v in visit_ids]
    for i, name in enumerate(("referral_case", "referral_status", "referral_due_at")):
        columns[name] = [cases.get(v, none3)[i] for v in visit_ids]
    columns["review_status"] = [NO_REVIEW if x is None else x for x in columns["review_status"]]
    columns["referral_due_at"] = [None if t is None else as_utc(t)
                                  for t in columns["referral_due_at"]]
    frame = pd.DataFrame(columns)
    return frame.astype({"visit_date": "datetime64[us]", "risk_score": "float64",
                         **dict.fromkeys(("icls_workers", "icls_unknown_workers",
                                          "referral_case", "site_visits"), "Int64")})


def capacity_cutoff(session: Session, share: float) -> tuple[int, int, tuple | None]:
    """(urgent visits, follow-ups the capacity allows, priority key of the last row within
    capacity or None) over the whole list (:func:`screening.priority.follow_up_capacity`)."""
    total = int(session.scalar(select(func.count()).select_from(E)) or 0)
    urgent = int(session.scalar(select(func.count()).where(E.key_group == 0)) or 0)
    follow_ups = capacity_k(total - urgent, share) if total > urgent else 0
    if urgent + follow_ups == 0:
        return urgent, follow_ups, None
    row = session.execute(select(*(getattr(E, k) for k in PRIORITY_KEYS))
                          .order_by(*(getattr(E, k) for k in PRIORITY_KEYS))
                          .offset(urgent + follow_ups - 1).limit(1)).first()
    return urgent, follow_ups, None if row is None else tuple(row)


def list_page(bind: Engine | Session, filters: ListFilters | None = None, *,
              sort: str = "priority", per_page: int = 50, page: int = 1,
              cursor: str | None = None, offset: int | None = None,
              capacity: float = CAPACITY, stale_total_seconds: float = 0.0) -> ListPage:
    """One page of the stored follow-up list.

    Parameters
    ----------
    bind : Engine or Session
    filters : ListFilters, optional
    sort : str
        One of :data:`screening.store.cursors.SORT_NAMES` (default: the follow-up order).
    per_page : int
        1..10,000 rows.
    page : int
        The page number (an offset of ``(page - 1) * per_page``), unless ``cursor`` is given.
    cursor : str, optional
        A ``next_cursor`` or ``prev_cursor`` of an earlier page with the same filters and sort.
    offset : int, optional
        Rows to skip (instead of ``page``).
    capacity : float
        The follow-up capacity as a share of the visits that are not urgent.
    stale_total_seconds : float
        How old a cached total may be once the store has changed (then ``total_is_estimate``);
        0: always counted for the store as it is.

    Raises
    ------
    StoreError
        A bad filter, sort, page or cursor.
    """
    filters = filters or ListFilters()
    order = sort_of(sort)
    if not 1 <= int(per_page) <= MAX_LIMIT:
        raise StoreError(f"The page must have a limit in 1..{MAX_LIMIT} and an offset >= 0 "
                         f"(at most {MAX_OFFSET}). Got limit {per_page} instead.")
    skip = (int(page) - 1) * int(per_page) if offset is None else int(offset)
    if not 0 <= skip <= MAX_OFFSET:
        raise StoreError(f"The page must have a limit in 1..{MAX_LIMIT} and an offset >= 0 "
                         f"(at most {MAX_OFFSET}). Got limit {per_page} and offset {skip} "
                         "instead.")
    made_for = fingerprint(filters.as_dict())
    after = None if cursor is None else decode(cursor, order, made_for)
    with transaction(bind, write=False) as session:
        dialect = session.get_bind().dialect.name
        where = conditions(filters, dialect)
        walk = conditions(filters, dialect, date_index="visit_date" in order.columns)
        got = entry_keys(session, order, walk, after=after, limit=per_page + 1,
                         offset=0 if after else skip)
        more = len(got) > per_page
        got = got[:per_page]
        if after is not None and after.before:
            got.reverse()
            first_rank = after.rank - len(got) if more else 1
        else:
            first_rank = after.rank + 1 if after is not None else skip + 1
        rows = details(session, [g[0] for g in got])
        cache = listing_cache.view(session)
        total, estimate = cache.total(filters, where, stale_total_seconds)
        urgent, follow_ups, cut = cache.cutoff(capacity, capacity_cutoff)
        cutoff_rank = None
        if order.name == "priority" and cut is not None:
            cutoff_rank = cache.count_upto(filters, where, cut)
        history = (site_histories(session, rows["site_id"].tolist())
                   if filters.group == "site" and len(rows) else {})
    width = len(order.columns)
    rows.insert(0, "rank", pd.RangeIndex(first_rank, first_rank + len(rows)))
    rows["within_capacity"] = [cut is not None and g[1 + width] != 0
                               and tuple(g[1 + width:]) <= cut for g in got]
    rows = rows[list(LIST_COLUMNS)]
    has_next = more if not (after and after.before) else bool(got)
    last_rank = first_rank + len(got) - 1

    def token(g: tuple, rank: int, before: bool) -> str:
        return Cursor(order.name, made_for, tuple(g[1:1 + width]), rank, before).encode()

    return ListPage(
        rows=rows, total=total, total_is_estimate=estimate,
        page=(first_rank - 1) // int(per_page) + 1, per_page=int(per_page),
        pages=max(1, -(-total // int(per_page))),
        next_cursor=token(got[-1], last_rank, False) if got and has_next else None,
        prev_cursor=token(got[0], first_rank, True) if got and first_rank > 1 else None,
        sort=order.name, site_history=history,
        capacity={"share": capacity, "urgent": urgent, "follow_ups": follow_ups,
                  "cutoff_rank": cutoff_rank})


def site_histories(session: Session, site_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The current visits of each site, latest first, with tier, rule score, risk score and
    latest decided outcome (the list grouped by site shows them under the site's lead)."""
    decided = (select(Review.visit_id, func.max(Review.id).label("rid"))
               .where(Review.status == "decided",
                      Review.visit_id.in_(select(E.visit_id).where(E.site_id.in_(site_ids))))
               .group_by(Review.visit_id).subquery("decided"))
    s = ScreeningRow
    query = (
        select(E.site_id, E.visit_id, E.visit_date, s.tier, s.rule_score, s.risk_score,
               Review.outcome)
        .join(s, s.id == E.screening_id)
        .outerjoin(decided, decided.c.visit_id == E.visit_id)
        .outerjoin(Review, Review.id == decided.c.rid)
        .where(E.site_id.in_(site_ids))
        .order_by(E.site_id, E.visit_date.desc(), E.visit_row_id.desc()))
    out: dict[str, list[dict[str, Any]]] = {site: [] for site in site_ids}
    for site, visit, date, tier, rule, risk, outcome in session.execute(query):
        out[site].append(dict(visit_id=visit, visit_date=date, tier=tier, rule_score=rule,
                              risk_score=risk, outcome=outcome))
    return out


__all__ = ["GROUPS", "LIST_COLUMNS", "MAX_LIMIT", "MAX_OFFSET", "MAX_SEARCH", "NO_REVIEW",
           "ListFilters", "ListPage", "capacity_cutoff", "conditions", "details", "entry_keys",
           "list_page", "site_histories"]
