"""The routes of ``/api/v1/referrals``: the referral queue with its clock, one case with its
history, recording referred or not referred, the export, and the outbox of notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from screening.api.deps import ServicesDep, require
from screening.outputs.exports import referral_download
from screening.service import referrals
from screening.store import accounts, transaction
from screening.store import referrals as cases_store
from screening.store.tables import User
from screening.vocabulary import CHANNELS, RECIPIENTS

router = APIRouter(prefix="/referrals", tags=["referrals"])
Reader = Annotated[User, Depends(require("monitor", "analyst", "admin"))]
Reviewer = Annotated[User, Depends(require("monitor", "admin"))]


@router.get("")
def queue(svc: ServicesDep, user: Reader,
          status: Literal["open", "referred", "not_referred"] | None = None,
          overdue: bool | None = None, region: str | None = None, sector: str | None = None,
          visit_id: str | None = None) -> dict:
    """The referral queue: open cases by time left (overdue first), then the closed ones.

    Each case has its clock: ``due_at``, ``seconds_left`` (negative when overdue; null once
    closed), ``overdue`` and ``due_soon`` (within 4 hours); the legal source of the due time
    is ``due_source``. Filters: ``status``, ``overdue``, ``region``, ``sector``, ``visit_id``.
    """
    now = svc.settings.now()
    found = referrals.queue(svc.engine, now, status=status, overdue=overdue, region=region,
                            sector=sector, visit_id=visit_id)
    return {"now": now, "total": len(found), "due_hours": svc.settings.referral_due_hours,
            "due_source": referrals.DUE_SOURCE["en"], "cases": found}


@router.get("/export.{fmt}")
def export(fmt: Literal["csv", "xlsx"], svc: ServicesDep, user: Reviewer,
           status: Literal["open", "referred", "not_referred"] | None = None,
           overdue: bool | None = None, region: str | None = None, sector: str | None = None,
           lang: Literal["en", "az"] = "en") -> Response:
    """The referral queue with its clock as CSV or XLSX, headers in English or Azerbaijani
    (``lang``), formula injection neutralised (audited)."""
    now = svc.settings.now()
    found = referrals.queue(svc.engine, now, status=status, overdue=overdue, region=region,
                            sector=sector)
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "export", "referrals", fmt, rows=len(found),
                       filters={"status": status, "overdue": overdue, "region": region,
                                "sector": sector})
    file = referral_download(found, fmt, lang)
    return Response(file.content, media_type=file.media_type, headers=file.headers)


@router.get("/outbox")
def outbox(svc: ServicesDep, user: Reviewer,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    """The notifications: how many wait for delivery, and the latest events with their
    attempts, errors and where they were delivered."""
    waiting, events = cases_store.outbox(svc.engine, limit=limit)
    return {"waiting": waiting, "events": events}


@router.get("/{case_id}")
def case(case_id: int, svc: ServicesDep, user: Reader) -> dict:
    """One case (its current version with the clock) and every earlier version; audited."""
    history = cases_store.case_history(svc.engine, case_id)
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "referral.read", "referral_case", case_id)
    return {"case": referrals.with_clock(history[-1], svc.settings.now()), "history": history}


class DecisionIn(BaseModel):
    """What was done about a case: referred (when, to whom, reference, how) or not referred
    (with the reason)."""

    status: Literal["referred", "not_referred"]
    referred_at: dt.datetime | None = None
    recipient: Literal[RECIPIENTS] | None = None  # type: ignore[valid-type]
    reference: str | None = None
    channel: Literal[CHANNELS] | None = None  # type: ignore[valid-type]
    reason: str | None = None
    notes: str | None = None


@router.post("/{case_id}/decision", status_code=201)
def decide(case_id: int, body: DecisionIn, svc: ServicesDep, user: Reviewer) -> dict:
    """Record referred or not referred: a new version of the case (the earlier ones are
    kept), audited. ``referred_at`` defaults to now; a time without a timezone is UTC."""
    values = body.model_dump()
    when = values.pop("referred_at")
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return referrals.record(svc, case_id, user, referred_at=when, **values)


__all__ = ["router"]
