"""Referral cases and the outbox: open, supersede (never delete), read; queue and deliver events.

A referral case is a row per version in ``referral_cases``: version 1 is opened with an urgent
visit, each recorded decision adds a version that supersedes the current one. Events for the
notifier go to ``outbox`` in the same transaction as what they report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.orm import Session

from screening.errors import StoreError, UnknownCaseError
from screening.store.accounts import audit, user_id_of
from screening.store.engine import transaction
from screening.store.reviews import check_choice
from screening.store.tables import OutboxEvent, ReferralCase, User, Visit
from screening.store.uploads import as_utc
from screening.vocabulary import CHANNELS, RECIPIENTS, REFERRAL_STATUSES

CASE_OPENED, CASE_OVERDUE = "case_opened", "case_overdue"
"""Kinds of outbox events."""
CASE_COLUMNS: tuple[str, ...] = (
    "case_id", "version", "visit_id", "region", "sector", "visit_date", "upload_id",
    "detected_at", "due_at", "workers", "indicators", "suggested", "status", "referred_at",
    "recipient", "reference", "channel", "reason", "notes", "recorded_by", "recorded_at",
)  # fmt: skip
"""Keys of a case as :func:`cases` and :func:`case_history` return it."""


def _case_dict(case: ReferralCase, visit: Any = None) -> dict[str, Any]:
    out = {c: getattr(case, c, None) for c in CASE_COLUMNS}
    for name in ("detected_at", "due_at", "referred_at", "recorded_at"):
        if out[name] is not None:
            out[name] = as_utc(out[name])
    out["region"] = getattr(visit, "region", None)
    out["sector"] = getattr(visit, "sector", None)
    out["visit_date"] = getattr(visit, "visit_date", None)
    return out


def open_cases(session: Session, cases: Sequence[dict[str, Any]], *,
               user: User | int | None, now: dt.datetime) -> list[int]:
    """Open a case per item with its event, unless the visit already has a case that is open
    or referred (a correction keeps it); after "not referred", a new case opens.

    Parameters
    ----------
    session : Session
        The upload's transaction: the cases and their ``case_opened`` events commit with it.
    cases : sequence of dict
        ``visit_id, visit_row_id, upload_id, detected_at, due_at, workers, indicators,
        suggested`` and ``payload`` (the event's data).
    user : User or int or None
        Who uploaded (for the audit log).
    now : datetime
        The service's clock.

    Returns
    -------
    list of int
        The ids of the cases opened.
    """
    wanted = [c["visit_id"] for c in cases]
    already = set(session.scalars(select(ReferralCase.visit_id).where(
        ReferralCase.visit_id.in_(wanted), ReferralCase.is_current,
        ReferralCase.status.in_(("open", "referred"))))) if wanted else set()
    opened = []
    for item in cases:
        if item["visit_id"] in already:
            continue
        case = ReferralCase(
            version=1, is_current=True, status="open", recorded_by=user_id_of(user),
            recorded_at=now, **{k: item[k] for k in (
                "visit_id", "visit_row_id", "upload_id", "detected_at", "due_at", "workers",
                "indicators", "suggested")})  # fmt: skip
        session.add(case)
        session.flush()
        case.case_id = case.id
        add_event(session, CASE_OPENED, case.id, {**item["payload"], "case_id": case.id}, now)
        audit(session, user, "referral.open", "referral_case", case.id,
              visit_id=item["visit_id"], due_at=item["due_at"].isoformat(),
              suggested=item["suggested"])
        opened.append(case.id)
    session.flush()
    return opened


def record_decision(bind: Engine | Session, case_id: int, *, by: User | int | None,
                    status: str, now: dt.datetime, referred_at: dt.datetime | None = None,
                    recipient: str | None = None, reference: str | None = None,
                    channel: str | None = None, reason: str | None = None,
                    notes: str | None = None) -> dict[str, Any]:
    """Record what was done about a case: a new version that supersedes the current one.

    Parameters
    ----------
    bind : Engine or Session
    case_id : int
    by : User or int or None
        Who records it (a monitor or an admin; the shells check the role).
    status : {"referred", "not_referred"}
    now : datetime
        The service's clock: when it is recorded (and the referral time by default).
    referred_at, recipient, reference, channel : optional
        For ``referred``: when, to whom (:data:`~screening.vocabulary.RECIPIENTS`), the
        recipient's reference number and how (:data:`~screening.vocabulary.CHANNELS`);
        recipient and channel are required.
    reason : str, optional
        For ``not_referred``: required (for example a false alarm confirmed with the inspector).
    notes : str, optional

    Returns
    -------
    dict
        The new current version (keys :data:`CASE_COLUMNS`).

    Raises
    ------
    UnknownCaseError
        No such case.
    StoreError
        A status, recipient or channel that is not allowed, or a missing one.
    """
    check_choice("referral status", status, REFERRAL_STATUSES[1:])
    if status == "referred":
        if not recipient:
            raise StoreError("A referral needs its recipient ("
                             + ", ".join(RECIPIENTS) + "); none was given.")
        if not channel:
            raise StoreError("A referral needs its channel (" + ", ".join(CHANNELS)
                             + "); none was given.")
        check_choice("recipient", recipient, RECIPIENTS)
        check_choice("channel", channel, CHANNELS)
        reason = None
        referred_at = referred_at or now
    else:
        if not (reason or "").strip():
            raise StoreError("A case that is not referred needs the reason (for example, a "
                             "false alarm confirmed with the inspector); none was given.")
        referred_at = recipient = reference = channel = None
    with transaction(bind) as session:
        current = session.scalar(select(ReferralCase).where(
            ReferralCase.case_id == case_id, ReferralCase.is_current).with_for_update())
        if current is None:
            raise UnknownCaseError(case_id)
        session.execute(update(ReferralCase).where(ReferralCase.id == current.id)
                        .values(is_current=False))
        new = ReferralCase(
            case_id=case_id, version=current.version + 1, is_current=True,
            **{k: getattr(current, k) for k in (
                "visit_id", "visit_row_id", "upload_id", "detected_at", "due_at", "workers",
                "indicators", "suggested")},
            status=status, referred_at=referred_at, recipient=recipient,
            reference=(reference or "").strip() or None, channel=channel,
            reason=(reason or "").strip() or None, notes=(notes or "").strip() or None,
            recorded_by=user_id_of(by), recorded_at=now)  # fmt: skip
        session.add(new)
        session.flush()
        audit(session, by, "referral." + status, "referral_case", case_id,
              version=new.version, visit_id=new.visit_id, recipient=recipient,
              reference=new.reference, channel=channel, reason=new.reason,
              referred_at=referred_at.isoformat() if referred_at else None)
        return _case_dict(new)


def _visit_join():
    return and_(Visit.visit_id == ReferralCase.visit_id, Visit.is_current)


def cases(bind: Engine | Session, *, status: str | Sequence[str] | None = None,
          visit_id: str | None = None, region: str | None = None, sector: str | None = None,
          due_before: dt.datetime | None = None, detected_from: dt.datetime | None = None,
          detected_to: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The current version of each case, earliest due first (filters are bound parameters).

    Parameters
    ----------
    bind : Engine or Session
    status : str or sequence of str, optional
        ``open``, ``referred``, ``not_referred``.
    visit_id, region, sector : str, optional
    due_before : datetime, optional
        Keep cases due before this time (with ``status="open"``: the overdue ones at ``now``).
    detected_from, detected_to : datetime, optional
        Keep cases opened in this period.

    Returns
    -------
    list of dict
        Keys :data:`CASE_COLUMNS`.
    """
    statuses = (status,) if isinstance(status, str) else status
    for item in statuses or ():
        check_choice("referral status", item, REFERRAL_STATUSES)
    query = (select(ReferralCase, Visit).outerjoin(Visit, _visit_join())
             .where(ReferralCase.is_current))
    if statuses:
        query = query.where(ReferralCase.status.in_(tuple(statuses)))
    if visit_id is not None:
        query = query.where(ReferralCase.visit_id == visit_id)
    if region:
        query = query.where(Visit.region == region)
    if sector:
        query = query.where(Visit.sector == sector)
    if due_before is not None:
        query = query.where(ReferralCase.due_at < due_before)
    if detected_from is not None:
        query = query.where(ReferralCase.detected_at >= detected_from)
    if detected_to is not None:
        query = query.where(ReferralCase.detected_at < detected_to)
    query = query.order_by(ReferralCase.due_at, ReferralCase.case_id)
    with transaction(bind, write=False) as session:
        return [_case_dict(c, v) for c, v in session.execute(query)]


def case_history(bind: Engine | Session, case_id: int) -> list[dict[str, Any]]:
    """Every version of a case, oldest first (raises :class:`UnknownCaseError`)."""
    with transaction(bind, write=False) as session:
        rows = session.execute(select(ReferralCase, Visit).outerjoin(Visit, _visit_join())
                               .where(ReferralCase.case_id == case_id)
                               .order_by(ReferralCase.version)).all()
    if not rows:
        raise UnknownCaseError(case_id)
    return [_case_dict(c, v) for c, v in rows]


def add_event(session: Session, kind: str, case_id: int | None, payload: dict[str, Any],
              now: dt.datetime, key: str | None = None) -> bool:
    """Queue an event in the outbox once (False when an event with its key exists)."""
    key = key or f"{kind}:{case_id}"
    if session.scalar(select(OutboxEvent.id).where(OutboxEvent.key == key)) is not None:
        return False
    session.add(OutboxEvent(key=key, kind=kind, case_id=case_id, payload=payload,
                            created_at=now, next_attempt_at=now, attempts=0))
    session.flush()
    return True


def overdue_without_event(session: Session, now: dt.datetime) -> list[dict[str, Any]]:
    """Open current cases past their due time that have no ``case_overdue`` event yet."""
    noted = select(OutboxEvent.case_id).where(OutboxEvent.kind == CASE_OVERDUE)
    query = (select(ReferralCase, Visit).outerjoin(Visit, _visit_join())
             .where(ReferralCase.is_current, ReferralCase.status == "open",
                    ReferralCase.due_at <= now, ReferralCase.case_id.not_in(noted))
             .order_by(ReferralCase.due_at))
    return [_case_dict(c, v) for c, v in session.execute(query)]


def pending_events(bind: Engine | Session, now: dt.datetime, limit: int = 100
                   ) -> list[dict[str, Any]]:
    """Undelivered events whose next attempt is due, oldest first."""
    query = (select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None),
                                       OutboxEvent.next_attempt_at <= now)
             .order_by(OutboxEvent.id).limit(limit))
    with transaction(bind, write=False) as session:
        return [_event_dict(e) for e in session.scalars(query)]


def _event_dict(e: OutboxEvent) -> dict[str, Any]:
    return {"id": e.id, "key": e.key, "kind": e.kind, "case_id": e.case_id,
            "payload": e.payload, "created_at": as_utc(e.created_at), "attempts": e.attempts,
            "next_attempt_at": as_utc(e.next_attempt_at),
            "delivered_at": as_utc(e.delivered_at) if e.delivered_at else None,
            "delivered_to": e.delivered_to, "last_error": e.last_error}


def record_attempt(bind: Engine | Session, event_id: int, *, now: dt.datetime,
                   delivered_to: str | None = None, error: str | None = None,
                   retry_at: dt.datetime | None = None) -> None:
    """Record one delivery attempt: delivered (to whom), or failed (why, and when to retry)."""
    values: dict[str, Any] = {"attempts": OutboxEvent.attempts + 1}
    if delivered_to is not None:
        values |= {"delivered_at": now, "delivered_to": delivered_to, "last_error": None}
    else:
        values |= {"last_error": (error or "")[:2000], "next_attempt_at": retry_at or now}
    with transaction(bind) as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id).values(**values))


def outbox(bind: Engine | Session, *, undelivered: bool = False, limit: int = 50
           ) -> tuple[int, list[dict[str, Any]]]:
    """(number of undelivered events, the latest ``limit`` events, newest first)."""
    with transaction(bind, write=False) as session:
        waiting = session.scalar(select(func.count()).select_from(OutboxEvent)
                                 .where(OutboxEvent.delivered_at.is_(None))) or 0
        query = select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(limit)
        if undelivered:
            query = query.where(OutboxEvent.delivered_at.is_(None))
        return int(waiting), [_event_dict(e) for e in session.scalars(query)]


__all__ = ["CASE_COLUMNS", "CASE_OPENED", "CASE_OVERDUE", "UnknownCaseError", "add_event",
           "case_history", "cases", "open_cases", "outbox", "overdue_without_event",
           "pending_events", "record_attempt", "record_decision"]
