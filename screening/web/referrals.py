"""Pages of the referral duty: the queue sorted by time left, one case with its history and
the form to record referred or not referred, and the export in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from screening.errors import StoreError, UnknownCaseError
from screening.ingest.records import SECTORS
from screening.outputs.exports import referral_download
from screening.service import referrals
from screening.service.follow_up import region_choices
from screening.store import audit, transaction
from screening.store import referrals as cases_store
from screening.store.tables import User
from screening.vocabulary import CHANNELS, RECIPIENTS, REFERRAL_STATUSES
from screening.web.security import WebError, check_csrf, lang, page_user, render

router = APIRouter(include_in_schema=False)
FILTERS = ("status", "overdue", "region", "sector")


def clock_text(case: dict[str, Any], t: Any) -> str:  # noqa: ANN401 - the page's translate
    """The clock as the pages show it: time left, OVERDUE by, or closed."""
    if case.get("seconds_left") is None:
        return t("closed")
    time = referrals.hours_text(case["seconds_left"])
    return t("overdue_by", time=time) if case["overdue"] else t("time_left", time=time)


def _filters(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name in FILTERS}


def _queue(request: Request, filters: dict[str, str]) -> list[dict[str, Any]]:
    svc = request.app.state.services
    return referrals.queue(svc.engine, svc.settings.now(), status=filters["status"] or None,
                           overdue=True if filters["overdue"] else None,
                           region=filters["region"] or None, sector=filters["sector"] or None)


@router.get("/referrals")
def queue(request: Request, user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """The referral queue: open cases by time left (overdue first, marked), then closed."""
    filters = _filters(request)
    try:
        found, error = _queue(request, filters), None
    except StoreError as exc:
        found, error = [], str(exc)
    svc = request.app.state.services
    kept = {k: v for k, v in filters.items() if v}
    return render(request, "referrals.html", status=422 if error else 200, user=user,
                  cases=found, filters=filters, error=error, statuses=REFERRAL_STATUSES,
                  regions=[r for group in region_choices(svc.settings, svc.engine) for r in group],
                  sectors=SECTORS, export_query=urlencode(kept),
                  due_hours=f"{svc.settings.referral_due_hours:g}",
                  due_source=referrals.DUE_SOURCE[lang(request)], clock=clock_text)


@router.get("/referrals/export.{fmt}")
def export(request: Request, fmt: str,
           user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """The filtered queue as CSV or XLSX in the page's language (audited)."""
    if fmt not in ("csv", "xlsx"):
        raise WebError(404, "error_404", what=f"referrals/export.{fmt}")
    filters = _filters(request)
    try:
        found = _queue(request, filters)
    except StoreError as exc:
        raise WebError(422, "bad_filter", message=str(exc)) from None
    with transaction(request.app.state.services.engine) as db:
        audit(db, user, "export", "referrals", fmt, rows=len(found), via="web",
              filters={k: v for k, v in filters.items() if v})
    file = referral_download(found, fmt, lang(request))
    return Response(file.content, media_type=file.media_type, headers=file.headers)


def _case_page(request: Request, case_id: int, user: User, status: int = 200,
               **extra: Any) -> Response:
    svc = request.app.state.services
    try:
        history = cases_store.case_history(svc.engine, case_id)
    except UnknownCaseError:
        raise WebError(404, "error_404", what=f"case {case_id}") from None
    with transaction(svc.engine) as db:
        audit(db, user, "referral.read", "referral_case", case_id, via="web")
    case = referrals.with_clock(history[-1], svc.settings.now())
    return render(request, "referral.html", status=status, user=user, c=case,
                  history=history[::-1], recipients=RECIPIENTS, channels=CHANNELS,
                  can_record=user.role in ("monitor", "admin"), clock=clock_text,
                  due_source=referrals.DUE_SOURCE[lang(request)], **extra)


@router.get("/referrals/{case_id}")
def case(request: Request, case_id: int,
         user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """One case: its clock, workers concerned, indicators, suggested recipients, the form to
    record what was done, and every version. Opening it is audited."""
    return _case_page(request, case_id, user, saved=request.query_params.get("saved"))


def _when(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise StoreError(f"The referral time must be a date and time such as "
                         f"2026-12-01T14:30. Got {value!r} instead.") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@router.post("/referrals/{case_id}")
def record(request: Request, case_id: int, csrf: str = Form(""),  # noqa: B008
           status: str = Form(""), referred_at: str = Form(""),  # noqa: B008
           recipient: str = Form(""), reference: str = Form(""),  # noqa: B008
           channel: str = Form(""), reason: str = Form(""),  # noqa: B008
           notes: str = Form(""),  # noqa: B008
           user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """Record referred or not referred (a new version of the case) and show the case."""
    check_csrf(request, csrf)
    svc = request.app.state.services
    try:
        referrals.record(svc, case_id, user, status=status, referred_at=_when(referred_at),
                         recipient=recipient or None, reference=reference, channel=channel
                         or None, reason=reason, notes=notes)
    except UnknownCaseError:
        raise WebError(404, "error_404", what=f"case {case_id}") from None
    except StoreError as exc:
        return _case_page(request, case_id, user, status=422, record_error=str(exc))
    return RedirectResponse(f"/referrals/{case_id}?saved=1", status_code=303)


__all__ = ["clock_text", "router"]
