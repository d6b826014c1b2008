"""Read the stored follow-up list and one visit's detail, JSON-ready.

Shared by the API, the pages and the exports. Errors are the library's (a bad filter is a
:class:`~screening.errors.StoreError`, an unknown visit an
:class:`~screening.errors.UnknownVisitError`); the shells turn them into answers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from screening.errors import StoreError, UnknownVisitError
from screening.pipeline import CAPACITY
from screening.settings import Settings
from screening.store import transaction
from screening.store.cursors import SORT_NAMES
from screening.store.entries import FollowUpEntry
from screening.store.listing import MAX_LIMIT, ListFilters, list_page
from screening.store.queries import visit_detail as store_visit_detail
from screening.store.streaming import iter_list

MAX_PAGE = 1_000_000
"""The highest page number the list accepts (1,000,000 pages of 500 visits)."""
SORTS: tuple[str, ...] = SORT_NAMES
"""The list's sort names (API and pages); see :data:`screening.store.cursors.SORTS`."""
STALE_TOTAL_SECONDS = 5.0
"""How old a list total may be once the store has changed since it was counted; it is then
flagged as an estimate (``total_is_estimate``)."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def _with_clock(frame: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """The referral clock of each row: hours left (open cases) and overdue."""
    due = frame["referral_due_at"]
    is_open = (frame["referral_status"] == "open").to_numpy()
    left = [round((d - now).total_seconds() / 3600, 2) if o and d is not None else None
            for d, o in zip(due, is_open, strict=True)]
    frame = frame.assign(referral_due_at=[None if d is None else d.isoformat() for d in due])
    frame["referral_hours_left"] = pd.array(left, dtype="Float64")
    frame["referral_overdue"] = [x is not None and x < 0 for x in left]
    return frame


def list_filters(*, region: str | None = None, sector: str | None = None,
                 tier: str | None = None, status: str | None = None,
                 date_from: dt.date | None = None, date_to: dt.date | None = None,
                 q: str | None = None, group: str | None = None) -> ListFilters:
    """The list's filters as the shells take them (one value each; empty means any).

    Raises
    ------
    StoreError
        An unknown sector, tier, status or group, or a bad search.
    """
    return ListFilters.of(region=region or None, sector=sector or None, tier=tier or None,
                          review_status=status or None, date_from=date_from, date_to=date_to,
                          q=q or None, group=group or None)


def follow_up_list(engine: Engine, filters: ListFilters | None = None, *,
                   sort: str = "priority", page: int = 1, per_page: int = 50,
                   cursor: str | None = None, now: dt.datetime | None = None,
                   capacity: float = CAPACITY) -> dict[str, Any]:
    """One page of the stored follow-up list, JSON-ready: what the API's ``GET /visits``
    answers and the list page shows.

    Parameters
    ----------
    engine : Engine
    filters : ListFilters, optional
        See :func:`list_filters`: region, sector, tier, review status, period, search
        (``q``: visit, site or employer id starting with it, any case) and ``group="site"``.
    sort : str
        ``priority`` (default; ``rank`` is the same), ``risk``, ``date`` (latest first),
        ``site``, or one of them with ``-`` in front for the other way round
        (:data:`screening.store.cursors.SORTS`).
    page, per_page : int
        A numbered page (1..:data:`MAX_PAGE`) of 1..500 rows (the API's limit).
    cursor : str, optional
        ``next_cursor`` or ``prev_cursor`` of an earlier answer with the same filters and
        sort: the page after or before it, at the same cost however deep (``page`` is then
        ignored and computed from the ranks).
    now : datetime, optional
        The service's clock, for the referral clock (``referral_hours_left``).
    capacity : float
        The follow-up capacity as a share of the visits that are not urgent.

    Returns
    -------
    dict
        ``visits`` (rows with :data:`screening.store.listing.LIST_COLUMNS`, the referral
        clock, and with ``group="site"`` each row's ``site_history``), ``total``,
        ``total_is_estimate`` (a total counted up to :data:`STALE_TOTAL_SECONDS` before the
        store last changed), ``page``, ``per_page``, ``pages``, ``next_cursor``,
        ``prev_cursor``, ``sort``, ``filters`` and ``capacity`` (``share``, ``urgent``,
        ``follow_ups``, ``cutoff_rank``: the last rank of this list that is urgent or within
        the follow-up capacity, for the priority sort).

    Raises
    ------
    StoreError
        A bad filter, sort, page or cursor.
    """
    if not 1 <= page <= MAX_PAGE:
        raise StoreError(f"The page must be a number from 1 to {MAX_PAGE:,}; got {page}.")
    filters = filters or ListFilters()
    found = list_page(engine, filters, sort=sort, per_page=per_page, page=page, cursor=cursor,
                      capacity=capacity, stale_total_seconds=STALE_TOTAL_SECONDS)
    rows = _records(_with_clock(found.rows, now or dt.datetime.now(dt.UTC)))
    if filters.group == "site":
        history = json.loads(json.dumps(found.site_history, default=str))
        for row in rows:
            row["site_history"] = [h for h in history.get(row["site_id"], [])
                                   if h["visit_id"] != row["visit_id"]]
    return {"total": found.total, "total_is_estimate": found.total_is_estimate,
            "page": found.page, "per_page": found.per_page, "pages": found.pages,
            "next_cursor": found.next_cursor, "prev_cursor": found.prev_cursor,
            "sort": found.sort, "filters": json.loads(json.dumps(filters.as_dict(),
                                                                 default=str)),
            "capacity": found.capacity, "visits": rows}


def export_frames(engine: Engine, filters: ListFilters | None = None, *,
                  sort: str = "priority", now: dt.datetime | None = None,
                  capacity: float = CAPACITY) -> Iterator[pd.DataFrame]:
    """The whole filtered list for an export, as frames of rows (the columns of
    :func:`follow_up_list`'s ``visits``), read by keyset inside one snapshot
    (:func:`screening.store.streaming.iter_list`).

    Raises
    ------
    StoreError
        A bad filter or sort, when the first frame is asked for.
    """
    moment = now or dt.datetime.now(dt.UTC)
    for frame in iter_list(engine, filters, sort=sort, capacity=capacity):
        yield _with_clock(frame, moment)


def export_rows(engine: Engine, filters: ListFilters | None = None, *,
                sort: str = "priority", now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The whole filtered list as JSON-ready rows (for an XLSX export)."""
    return [row for frame in export_frames(engine, filters, sort=sort, now=now)
            for row in _records(frame)]


def follow_up_page(engine: Engine, *, region: str | None = None, sector: str | None = None,
                   tier: str | None = None, status: str | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   page: int = 1, per_page: int = 50, sort: str = "priority",
                   q: str | None = None, group: str | None = None,
                   now: dt.datetime | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(total, rows of the page) of the stored follow-up list (see :func:`follow_up_list`);
    ``per_page`` beyond the store's page limit reads the whole list (exports).

    Each row has the clock of its visit's referral case (urgent visits): ``referral_case``,
    ``referral_status``, ``referral_due_at``, ``referral_hours_left`` (negative when overdue,
    empty once closed) and ``referral_overdue``, at ``now`` (default: the current time).

    Raises
    ------
    StoreError
        An unknown sector, tier, status or sort.
    """
    filters = list_filters(region=region, sector=sector, tier=tier, status=status,
                           date_from=date_from, date_to=date_to, q=q, group=group)
    if per_page > MAX_LIMIT:
        if not 1 <= page <= MAX_PAGE:
            raise StoreError(f"The page must be a number from 1 to {MAX_PAGE:,}; got {page}.")
        rows = export_rows(engine, filters, sort=sort, now=now)
        skip = (page - 1) * per_page
        return len(rows), rows[skip:skip + per_page]
    found = follow_up_list(engine, filters, sort=sort, page=page, per_page=per_page, now=now)
    return found["total"], found["visits"]


def visit_detail(engine: Engine, visit_id: str) -> dict[str, Any]:
    """The visit's detail as JSON-ready data (raises UnknownVisitError when not stored)."""
    return json.loads(json.dumps(store_visit_detail(engine, visit_id), default=str))


def regions(engine: Engine) -> list[str]:
    """The regions of the stored current visits, sorted.

    Read from the list's entries one region at a time, each the smallest after the last one
    (a seek on the region index per region) rather than by a scan of every visit, so the pages
    that offer the regions stay fast at a million visits.
    """
    found: list[str] = []
    with transaction(engine, write=False) as db:
        while True:
            query = select(func.min(FollowUpEntry.region))
            if found:
                query = query.where(FollowUpEntry.region > found[-1])
            region = db.scalar(query)
            if region is None:
                return found
            found.append(region)


def region_choices(settings: Settings, engine: Engine) -> tuple[list[str], list[str]]:
    """The regions a filter offers: (the configured regions, in their order; the other region
    names stored, sorted). Uploads are checked against ``SCREENING_REGIONS``, so the second
    list holds only names stored before the regions were configured (or everything, with
    ``SCREENING_REGIONS=any``)."""
    from screening.ingest.regions import configured

    listed = configured(settings.regions)
    names = list(listed.names) if listed is not None else []
    return names, [r for r in regions(engine) if r not in set(names)]


__all__ = ["MAX_PAGE", "SORTS", "STALE_TOTAL_SECONDS", "UnknownVisitError", "export_frames",
           "export_rows", "follow_up_list", "follow_up_page", "list_filters", "region_choices",
           "regions", "visit_detail"]
