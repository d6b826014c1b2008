"""Read the store: the follow-up list with review status, and everything about one visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from screening.store.cursors import SORT_NAMES
from screening.store.engine import transaction
from screening.store.listing import LIST_COLUMNS, MAX_LIMIT, NO_REVIEW, ListFilters, list_page
from screening.store.reviews import UnknownVisitError, latest_screening
from screening.store.tables import Interview, Review, ScreeningRow, Upload, Visit
from screening.store.uploads import as_utc

SORTS: tuple[str, ...] = SORT_NAMES
"""Orders of :func:`follow_up_frame` (see :mod:`screening.store.cursors`)."""


def follow_up_frame(bind: Engine | Session, *, region: str | Sequence[str] | None = None,
                    sector: str | Sequence[str] | None = None,
                    tier: str | Sequence[str] | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    review_status: str | Sequence[str] | None = None,
                    uploaded_by: int | None = None, q: str | None = None,
                    group: str | None = None, sort: str = "rank",
                    limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """The stored follow-up list (current visit versions, latest screening, latest review) as
    one frame: :func:`screening.store.listing.list_page` by offset.

    Filter values are bound as query parameters, never written into the SQL text.

    Parameters
    ----------
    bind : Engine or Session
    region, sector, tier : str or sequence of str, optional
        Keep visits with one of these values.
    date_from, date_to : date, optional
        Keep visits on or after, on or before these dates.
    review_status : str or sequence of str, optional
        ``scheduled``, ``visited``, ``decided`` (the latest event), or ``none``.
    uploaded_by : int, optional
        Keep visits uploaded by this user id (an inspector sees their own uploads).
    q : str, optional
        Keep visits whose visit, site or employer id starts with this text (any case).
    group : {"site"}, optional
        Each site once, at its most urgent current visit.
    sort : str
        ``rank`` (or ``priority``) orders as the follow-up list does
        (:func:`screening.priority.order`): urgent first, then risk score, then tier; the
        rule score orders the visits without a risk score. See
        :data:`screening.store.cursors.SORTS` for the others (``visit_date`` and
        ``-visit_date`` are the dates up and down).
    limit, offset : int
        The page: at most ``limit`` rows (1..10,000) after skipping ``offset``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LIST_COLUMNS`; ``rank`` is the position in the filtered, sorted list;
        ``referral_*`` are the current version of the visit's latest referral case, if any.
        ``frame.attrs["total"]`` is the number of rows over all pages.

    Raises
    ------
    StoreError
        An unknown sector, tier, review status or sort, or a bad page.
    """
    filters = ListFilters.of(region=region, sector=sector, tier=tier, date_from=date_from,
                             date_to=date_to, review_status=review_status,
                             uploaded_by=uploaded_by, q=q, group=group)
    page = list_page(bind, filters, sort=sort, per_page=limit, offset=offset)
    frame = page.rows
    frame.attrs["total"] = page.total
    return frame


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A mapped row as a plain dict of its columns."""
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}


def visit_detail(bind: Engine | Session, visit_id: str) -> dict[str, Any]:
    """Everything the store knows about one visit.

    Parameters
    ----------
    bind : Engine or Session
    visit_id : str

    Returns
    -------
    dict
        ``visit`` (the current version's columns), ``interviews`` (of that version),
        ``screening`` (the latest, with ``indicators`` as a list), ``screenings`` (all of the
        current version, oldest first), ``versions`` (every stored version with its upload),
        ``reviews`` (every event, oldest first) and ``site_history`` (the other current
        visits to the same site, latest first, with tier and latest outcome).

    Raises
    ------
    UnknownVisitError
        The visit is not in the store.
    """
    if "\x00" in visit_id:  # no stored visit_id holds one (and PostgreSQL cannot compare it)
        raise UnknownVisitError(visit_id)
    with transaction(bind, write=False) as session:
        visit = session.scalar(select(Visit).where(Visit.visit_id == visit_id,
                                                   Visit.is_current))
        if visit is None:
            raise UnknownVisitError(visit_id)
        interviews = session.scalars(select(Interview).where(Interview.visit_row_id == visit.id)
                                     .order_by(Interview.id)).all()
        screenings = session.scalars(select(ScreeningRow)
                                     .where(ScreeningRow.visit_row_id == visit.id)
                                     .order_by(ScreeningRow.id)).all()
        versions = session.execute(
            select(Visit.version, Visit.is_current, Visit.upload_id, Upload.created_at,
                   Upload.file_name)
            .join(Upload, Upload.id == Visit.upload_id)
            .where(Visit.visit_id == visit_id).order_by(Visit.version)).all()
        reviews = session.scalars(select(Review).where(Review.visit_id == visit_id)
                                  .order_by(Review.id)).all()
        history = follow_up_history(session, visit.site_id, exclude=visit_id)
    shown = [_row(s) for s in screenings]
    for item in shown:
        item["indicators"] = [i for i in item["indicators"].split(";") if i]
        item["screened_at"] = as_utc(item["screened_at"])
    return {
        "visit": _row(visit),
        "interviews": [_row(i, skip=("visit_row_id",)) for i in interviews],
        "screening": next((item for item in shown if item["is_latest"]), None),
        "screenings": shown,
        "versions": [dict(version=v, is_current=c, upload_id=u, uploaded_at=as_utc(t),
                          file_name=f) for v, c, u, t, f in versions],
        "reviews": [_row(r) for r in reviews],
        "site_history": history,
    }


def follow_up_history(session: Session, site_id: str, *,
                      exclude: str | None = None) -> list[dict[str, Any]]:
    """The current visits to a site, latest first, with tier, rule score and latest outcome."""
    decided = (select(Review.visit_id, func.max(Review.id).label("rid"))
               .where(Review.status == "decided", Review.visit_id.in_(
                   select(Visit.visit_id).where(Visit.site_id == site_id)))
               .group_by(Review.visit_id).subquery("decided"))
    query = (
        select(Visit.visit_id, Visit.visit_date, ScreeningRow.tier, ScreeningRow.rule_score,
               Review.outcome)
        .outerjoin(ScreeningRow, latest_screening())
        .outerjoin(decided, decided.c.visit_id == Visit.visit_id)
        .outerjoin(Review, Review.id == decided.c.rid)
        .where(Visit.site_id == site_id, Visit.is_current)
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
    )
    if exclude is not None:
        query = query.where(Visit.visit_id != exclude)
    return [dict(visit_id=v, visit_date=d, tier=t, rule_score=s, outcome=o)
            for v, d, t, s, o in session.execute(query)]


__all__ = ["LIST_COLUMNS", "MAX_LIMIT", "NO_REVIEW", "SORTS", "follow_up_frame",
           "follow_up_history", "visit_detail"]
