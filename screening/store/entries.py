"""The follow-up list as a table: one entry per current visit, kept up to date by the writers.

The list is ordered and filtered on columns of three tables (visits, their latest screening,
their latest review); no index can serve an order that spans a join, so at a million visits
every page was a sort of the whole store. ``follow_up_entries`` holds, for each current
visit, the columns the list filters, searches and sorts on, with the follow-up order spelled
as ascending *keys*, so one B-tree index walks the list in order and a page is a short index
range (:mod:`screening.store.listing` reads it).

The keys of the follow-up order (:func:`screening.priority.order`), all ascending:

- ``key_group``: 0 for an urgent visit (the referral queue leads the list), else 1;
- ``key_risk``: minus the risk score, or 1 when it is unknown (after every known one);
- ``key_tier``: minus the tier's rank (urgent 3 .. low 0);
- ``key_rule``: minus the rule score when the risk score is unknown, else 0;
- ``visit_row_id``: the stored row, so ties keep the upload order.

Who writes what: :func:`refresh_upload` (every upload, in its transaction), :func:`set_review`
(every review event) and :func:`rebuild` (all of it from the base tables: for a store written
by other means, and for tests that change the base tables directly). ``site_lead`` marks the
most urgent current visit of each site and ``site_visits`` counts the site's current visits
(the list grouped by site); :func:`refresh_sites` keeps them.

Search keys (``visit_key``, ``site_key``, ``employer_key``) are the ids in lower case, as the
database's ``lower()`` makes them (SQLite folds ASCII letters only), compared in byte order
(collation "C" on PostgreSQL) so that a prefix is an index range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import (
    Boolean,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from screening.store.engine import transaction
from screening.store.tables import Base, Review, ScreeningRow, Upload, Visit

SEARCH_TEXT = Text().with_variant(Text(collation="C"), "postgresql")
"""Text compared byte by byte (prefix ranges are exact): collation "C" on PostgreSQL, SQLite's
default elsewhere."""
ENTRIES_LOCK = 0x5C12EE18
"""Advisory lock key of the entries' refresh on PostgreSQL (one upload at a time)."""
PRIORITY_KEYS: tuple[str, ...] = ("key_group", "key_risk", "key_tier", "key_rule",
                                  "visit_row_id")
"""The follow-up order as ascending columns of :class:`FollowUpEntry`."""


def _keyed(name: str, *leading: str) -> Index:
    """An index on ``leading`` columns followed by the follow-up order."""
    return Index(name, *leading, *PRIORITY_KEYS)


class FollowUpEntry(Base):
    """One current visit in the follow-up list: what the list filters, searches and sorts on.

    One index per filter, each followed by the follow-up order: a filtered page is one range.
    """

    __tablename__ = "follow_up_entries"

    visit_row_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), primary_key=True,
                                              autoincrement=False)
    visit_id: Mapped[str] = mapped_column(Text, unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    site_id: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(String(40))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    tier_rank: Mapped[int] = mapped_column(Integer)
    key_group: Mapped[int] = mapped_column(Integer)
    key_risk: Mapped[float] = mapped_column(Float)
    key_tier: Mapped[int] = mapped_column(Integer)
    key_rule: Mapped[float] = mapped_column(Float)
    review_status: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visit_key: Mapped[str] = mapped_column(SEARCH_TEXT)
    site_key: Mapped[str] = mapped_column(SEARCH_TEXT)
    employer_key: Mapped[str | None] = mapped_column(SEARCH_TEXT)
    site_lead: Mapped[bool] = mapped_column(Boolean)
    site_visits: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        _keyed("ix_follow_up_priority"),
        _keyed("ix_follow_up_region", "region"),
        _keyed("ix_follow_up_sector", "sector"),
        _keyed("ix_follow_up_tier", "tier_rank"),
        _keyed("ix_follow_up_status", "review_status"),
        _keyed("ix_follow_up_uploaded_by", "uploaded_by"),
        _keyed("ix_follow_up_site", "site_id"),
        _keyed("ix_follow_up_site_lead", "site_lead"),
        Index("ix_follow_up_risk", "key_risk", "key_tier", "key_rule", "visit_row_id"),
        Index("ix_follow_up_date", "visit_date", "visit_row_id"),
        Index("ix_follow_up_visit_key", "visit_key"),
        Index("ix_follow_up_site_key", "site_key"),
        Index("ix_follow_up_employer_key", "employer_key"),
    )


E = FollowUpEntry


def _entry_rows(where) -> select:  # noqa: ANN001 - a SQL condition on Visit
    """SELECT of the entries of the current visits matching ``where`` (columns in the order of
    :data:`ENTRY_COLUMNS`)."""
    s = ScreeningRow
    wanted = select(Visit.visit_id).where(where).scalar_subquery()
    latest = (select(Review.visit_id, func.max(Review.id).label("rid"))
              .where(Review.visit_id.in_(wanted)).group_by(Review.visit_id)
              .subquery("latest_review"))
    r = aliased(Review)
    unknown = s.risk_score.is_(None)
    return (
        select(Visit.id, Visit.visit_id, s.id, Visit.site_id, Visit.region, Visit.sector,
               Visit.visit_date, s.tier_rank,
               case((s.tier == "urgent", 0), else_=1),
               case((unknown, 1.0), else_=-s.risk_score),
               -s.tier_rank,
               case((unknown, -s.rule_score), else_=0.0),
               func.coalesce(r.status, "none"), Upload.user_id,
               func.lower(Visit.visit_id), func.lower(Visit.site_id),
               func.lower(Visit.employer_id), literal(False), literal(1))
        .join(s, (s.visit_row_id == Visit.id) & s.is_latest)
        .join(Upload, Upload.id == Visit.upload_id)
        .outerjoin(latest, latest.c.visit_id == Visit.visit_id)
        .outerjoin(r, r.id == latest.c.rid)
        .where(Visit.is_current, where)
    )


ENTRY_COLUMNS: tuple[str, ...] = (
    "visit_row_id", "visit_id", "screening_id", "site_id", "region", "sector", "visit_date",
    "tier_rank", "key_group", "key_risk", "key_tier", "key_rule", "review_status",
    "uploaded_by", "visit_key", "site_key", "employer_key", "site_lead", "site_visits",
)  # fmt: skip


def refresh_sites(session: Session, site_ids: Iterable[str] | None = None, *,
                  sites_of_upload: int | None = None) -> None:
    """Mark each site's most urgent current visit (``site_lead``) and count its visits.

    Parameters
    ----------
    session : Session
    site_ids : iterable of str, optional
        The sites to refresh; with neither this nor ``sites_of_upload``, every site.
    sites_of_upload : int, optional
        Refresh the sites of the visits stored by this upload.
    """
    e2, e3 = aliased(E), aliased(E)
    lead = (select(e2.visit_row_id).where(e2.site_id == E.site_id)
            .order_by(*(getattr(e2, k) for k in PRIORITY_KEYS)).limit(1).scalar_subquery())
    count = select(func.count()).where(e3.site_id == E.site_id).scalar_subquery()
    statement = update(E).values(site_lead=E.visit_row_id == lead, site_visits=count)
    if sites_of_upload is not None:
        session.execute(statement.where(E.site_id.in_(
            select(Visit.site_id).where(Visit.upload_id == sites_of_upload))))
    if site_ids is not None:
        ids = sorted(set(site_ids))
        for start in range(0, len(ids), 1000):
            session.execute(statement.where(E.site_id.in_(ids[start:start + 1000])))
    if sites_of_upload is None and site_ids is None:
        session.execute(statement)


def refresh_upload(session: Session, upload_id: int) -> None:
    """Bring the entries up to date after an upload stored its visits and screenings (in the
    upload's transaction): the visits it replaced leave, its visits come in, and the sites of
    both get their lead and count again.

    On PostgreSQL, uploads do this one at a time (a transaction-level advisory lock, held to
    the commit, a moment later): a site's lead is chosen among its visits as committed, never
    by two uploads that each cannot see the other's new visit. SQLite has one writer anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ENTRIES_LOCK)))
    stored = select(Visit.visit_id).where(Visit.upload_id == upload_id)
    replaced_sites = session.scalars(
        select(E.site_id).where(E.visit_id.in_(stored)).distinct()).all()
    session.execute(delete(E).where(E.visit_id.in_(stored)))
    session.execute(insert(E).from_select(list(ENTRY_COLUMNS),
                                          _entry_rows(Visit.upload_id == upload_id)))
    refresh_sites(session, replaced_sites, sites_of_upload=upload_id)


def lock_entry(session: Session, visit_id: str) -> None:
    """Lock a visit's entry until the transaction ends (PostgreSQL; SQLite has one writer), so
    reviews of one visit are recorded one after the other and the latest one wins."""
    session.execute(select(E.visit_row_id).where(E.visit_id == visit_id).with_for_update())


def set_review(session: Session, visit_id: str, status: str) -> None:
    """Record the status of a visit's latest review event in its entry."""
    session.execute(update(E).where(E.visit_id == visit_id).values(review_status=status))


def rebuild(bind: Engine | Session) -> int:
    """Rebuild every entry from the visits, screenings and reviews; the number of entries.

    For a store whose base tables were written by other means (and tests that change them);
    the uploads and reviews keep the entries up to date on their own.
    """
    from screening.store import listing_cache  # the cached counts are of the old entries

    with transaction(bind) as session:
        session.execute(delete(E))
        session.execute(insert(E).from_select(list(ENTRY_COLUMNS), _entry_rows(true())))
        refresh_sites(session)
        count = int(session.scalar(select(func.count()).select_from(E)) or 0)
    listing_cache.clear()
    return count


__all__ = ["ENTRIES_LOCK", "ENTRY_COLUMNS", "PRIORITY_KEYS", "FollowUpEntry", "lock_entry",
           "rebuild", "refresh_sites", "refresh_upload", "set_review"]
