"""Read the store: the follow-up list with review status, and everything about one visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.orm import Session

from screening.errors import StoreError
from screening.ingest.records import SECTORS
from screening.store.engine import check_text, transaction
from screening.store.reviews import UnknownVisitError, check_choice, latest_screening
from screening.store.tables import (
    REVIEW_STATUSES,
    TIERS,
    Interview,
    ReferralCase,
    Review,
    ScreeningRow,
    Upload,
    Visit,
)
from screening.store.uploads import as_utc

NO_REVIEW = "none"
"""The ``review_status`` filter value for visits without any review event."""
SORTS: tuple[str, ...] = ("rank", "visit_date", "-visit_date")
"""Orders of :func:`follow_up_frame`: follow-up rank, or visit date up or down."""
MAX_LIMIT = 10_000
MAX_OFFSET = 2**40
"""The largest offset a page may start at (far beyond any store; both databases take it)."""

LIST_COLUMNS: tuple[str, ...] = (
    "rank", "visit_id", "site_id", "region", "sector", "visit_date", "tier", "risk_score",
    "rule_score", "icls_workers", "indicators", "reasons", "exploration", "selected",
    "selection_probability", "model_version", "upload_id", "version", "review_status",
    "scheduled_for", "outcome", "icls_unknown_workers", "referral_case", "referral_status",
    "referral_due_at",
)  # fmt: skip
"""Columns of :func:`follow_up_frame`."""


def _as_tuple(name: str, value: str | Sequence[str] | None,
              allowed: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else tuple(value)
    if allowed is not None:
        for item in values:
            check_choice(name, item, allowed)
    return values


def _latest_reviews():
    return (select(Review.visit_id, func.max(Review.id).label("rid"))
            .group_by(Review.visit_id).subquery("latest_review"))


def _latest_cases():
    return (select(ReferralCase.visit_id, func.max(ReferralCase.case_id).label("cid"))
            .group_by(ReferralCase.visit_id).subquery("latest_case"))


def follow_up_frame(bind: Engine | Session, *, region: str | Sequence[str] | None = None,
                    sector: str | Sequence[str] | None = None,
                    tier: str | Sequence[str] | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    review_status: str | Sequence[str] | None = None,
                    uploaded_by: int | None = None, sort: str = "rank",
                    limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """The stored follow-up list (current visit versions, latest screening, latest review).

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
    sort : {"rank", "visit_date", "-visit_date"}
        ``rank`` orders as the follow-up list does (:func:`screening.priority.order`): tier,
        then risk score; the rule score orders the visits without a risk score.
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
    sectors = _as_tuple("sector", sector, SECTORS)
    tiers = _as_tuple("tier", tier, TIERS)
    statuses = _as_tuple("review status", review_status, (*REVIEW_STATUSES, NO_REVIEW))
    regions = _as_tuple("region", region)
    check_choice("sort", sort, SORTS)
    if not (1 <= int(limit) <= MAX_LIMIT) or not (0 <= int(offset) <= MAX_OFFSET):
        raise StoreError(f"The page must have a limit in 1..{MAX_LIMIT} and an offset >= 0 "
                         f"(at most {MAX_OFFSET}). Got limit {limit} and offset {offset} "
                         "instead.")
    for value in regions or ():
        check_text("region", value, line=True)
    latest_r, latest_c = _latest_reviews(), _latest_cases()
    s, r, c = ScreeningRow, Review, ReferralCase
    conditions = [Visit.is_current]
    if regions is not None:
        conditions.append(Visit.region.in_(regions))
    if sectors is not None:
        conditions.append(Visit.sector.in_(sectors))
    if tiers is not None:
        conditions.append(s.tier.in_(tiers))
    if date_from is not None:
        conditions.append(Visit.visit_date >= date_from)
    if date_to is not None:
        conditions.append(Visit.visit_date <= date_to)
    if statuses is not None:
        named = [x for x in statuses if x != NO_REVIEW]
        options = [r.status.in_(named)] if named else []
        if NO_REVIEW in statuses:
            options.append(r.id.is_(None))
        conditions.append(options[0] if len(options) == 1 else options[0] | options[1])
    if uploaded_by is not None:
        conditions.append(Visit.upload_id.in_(
            select(Upload.id).where(Upload.user_id == int(uploaded_by))))
    base = (
        select(Visit.visit_id, Visit.site_id, Visit.region, Visit.sector, Visit.visit_date,
               s.tier, s.risk_score, s.rule_score, s.icls_workers, s.indicators, s.reasons,
               s.exploration, s.selected, s.selection_probability, s.model_version,
               Visit.upload_id, Visit.version, r.status, r.scheduled_for, r.outcome,
               s.icls_unknown_workers, c.case_id, c.status, c.due_at)
        .join(s, latest_screening())
        .outerjoin(latest_r, latest_r.c.visit_id == Visit.visit_id)
        .outerjoin(r, r.id == latest_r.c.rid)
        .outerjoin(latest_c, latest_c.c.visit_id == Visit.visit_id)
        .outerjoin(c, (c.case_id == latest_c.c.cid) & c.is_current)
        .where(and_(*conditions))
    )
    unknown_risk_last = case((s.risk_score.is_(None), 1), else_=0)
    order = {
        "rank": ((s.tier == "urgent").desc(), unknown_risk_last, s.risk_score.desc(),
                 s.tier_rank.desc(),
                 case((s.risk_score.is_(None), s.rule_score), else_=0.0).desc(), Visit.id),
        "visit_date": (Visit.visit_date, Visit.id),
        "-visit_date": (Visit.visit_date.desc(), Visit.id.desc()),
    }[sort]
    with transaction(bind, write=False) as session:
        total = session.scalar(select(func.count()).select_from(base.subquery()))
        rows = session.execute(base.order_by(*order).limit(int(limit)).offset(int(offset)))
        rows = rows.all()
    frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS[1:]))
    frame.insert(0, "rank", pd.RangeIndex(offset + 1, offset + 1 + len(frame)))
    frame["visit_date"] = pd.to_datetime(frame["visit_date"])
    frame["risk_score"] = frame["risk_score"].astype("float64")
    frame["icls_workers"] = frame["icls_workers"].astype("Int64")
    frame["icls_unknown_workers"] = frame["icls_unknown_workers"].astype("Int64")
    frame["review_status"] = frame["review_status"].fillna(NO_REVIEW)
    frame["referral_case"] = frame["referral_case"].astype("Int64")
    frame["referral_due_at"] = [None if pd.isna(t) else as_utc(t)
                                for t in frame["referral_due_at"]]
    frame.attrs["total"] = int(total or 0)
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
               .where(Review.status == "decided").group_by(Review.visit_id)
               .subquery("decided"))
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


__all__ = ["LIST_COLUMNS", "NO_REVIEW", "SORTS", "follow_up_frame", "follow_up_history",
           "visit_detail"]
