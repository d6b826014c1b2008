"""The routes of ``/api/v1``: follow-up list, visit detail, review, export, catalogue, models,
users (uploads: :mod:`screening.api.uploads`). Each route names the roles it lets through; the
work is the service layer's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from screening.api.deps import ServicesDep, require
from screening.api.errors import ApiError
from screening.errors import ModelError
from screening.outputs.exports import XLSX_TYPE, StreamedDownload
from screening.service.exports import follow_up_download
from screening.service.follow_up import (
    MAX_PAGE,
    follow_up_list,
    list_filters,
    visit_detail,
)
from screening.service.referrals import case_of_visit
from screening.store import accounts, record_review, transaction
from screening.store.tables import User
from screening.vocabulary import REVIEW_STATUSES, ROLES

router = APIRouter()
Everyone = Annotated[User, Depends(require(*ROLES))]
Reader = Annotated[User, Depends(require("monitor", "analyst", "admin"))]
Reviewer = Annotated[User, Depends(require("monitor", "admin"))]
Analyst = Annotated[User, Depends(require("analyst", "admin"))]
Admin = Annotated[User, Depends(require("admin"))]


@router.get("/visits")
def follow_up(svc: ServicesDep, user: Reader, region: str | None = None,
              sector: str | None = None, tier: str | None = None, status: str | None = None,
              date_from: dt.date | None = None, date_to: dt.date | None = None,
              q: Annotated[str | None, Query(max_length=200)] = None,
              group: Literal["site"] | None = None,
              page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
              per_page: Annotated[int, Query(ge=1, le=500)] = 50,
              sort: Annotated[str, Query(max_length=40)] = "priority",
              cursor: Annotated[str | None, Query(max_length=2000)] = None) -> dict:
    """The ranked follow-up list with the latest review status and, for urgent visits, the
    referral clock (``referral_hours_left``, ``referral_overdue``), filtered and paginated.

    ``q`` searches visit, site and employer ids by their start (any case); ``sort`` is
    ``priority`` (``rank``), ``risk``, ``date`` (latest first), ``date_ascending`` or ``site``
    (``-`` in front reverses one); ``group=site`` shows each site once, at its most urgent
    visit, with the site's other visits in ``site_history``. Pages by number (``page``) or by
    ``cursor`` (the answer's ``next_cursor`` and ``prev_cursor``). ``total_is_estimate`` says
    the total was counted a few seconds before the store last changed; ``capacity`` says
    where the follow-up capacity ends (``cutoff_rank``) and each row whether it is
    ``within_capacity``. Every page read is written to the audit log."""
    filters = list_filters(region=region, sector=sector, tier=tier, status=status,
                           date_from=date_from, date_to=date_to, q=q, group=group)
    found = follow_up_list(svc.engine, filters, sort=sort, page=page, per_page=per_page,
                           cursor=cursor, now=svc.settings.now())
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "list.read", "follow_up", None, page=found["page"],
                       per_page=per_page, rows=len(found["visits"]), sort=found["sort"],
                       filters={"region": region, "sector": sector, "tier": tier,
                                "status": status, "q": q, "group": group})
    return found


@router.get("/visits/{visit_id}")
def detail(visit_id: str, svc: ServicesDep, user: Reader) -> dict:
    """One visit: fired indicators with evidence, ICLS workers, risk score, site history,
    reviews and its referral case with the clock and history (``referral``, null when the
    visit never was urgent). Every read is written to the audit log."""
    found = visit_detail(svc.engine, visit_id)
    found["referral"] = case_of_visit(svc.engine, visit_id, svc.settings.now())
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "visit.read", "visit", visit_id)
    return found


class ReviewIn(BaseModel):
    """A review event from the monitoring centre."""

    status: Literal[REVIEW_STATUSES]  # type: ignore[valid-type]
    scheduled_for: dt.date | None = None
    inspector: str | None = None
    outcome: Literal["forced_labour", "labour_violation", "no_violation"] | None = None
    notes: str | None = None
    decided_on: dt.date | None = None


@router.post("/visits/{visit_id}/reviews", status_code=201)
def review(visit_id: str, body: ReviewIn, svc: ServicesDep, user: Reviewer) -> dict:
    """Record a review event (scheduled, visited, decided with an outcome)."""
    event = record_review(svc.engine, visit_id=visit_id, reviewer=user, **body.model_dump())
    return {"id": event.id, "visit_id": visit_id, "status": event.status,
            "outcome": event.outcome}


@router.get("/export.{fmt}")
def export(fmt: Literal["csv", "xlsx"], svc: ServicesDep, user: Reviewer,
           region: str | None = None, sector: str | None = None, tier: str | None = None,
           status: str | None = None, date_from: dt.date | None = None,
           date_to: dt.date | None = None,
           q: Annotated[str | None, Query(max_length=200)] = None,
           sort: Annotated[str, Query(max_length=40)] = "priority",
           lang: Literal["en", "az"] | None = None) -> Response:
    """The filtered follow-up list as CSV or XLSX (audited).

    Without ``lang``: for machines, the follow-up list contract's column names, codes and ISO
    dates (a plain UTF-8 CSV, streamed as it is read: the list in keyset chunks, as the store
    was when the export began; a typed, formatted XLSX with the same headers). With ``lang``
    (``en`` or ``az``): the file the list page gives, for people: headers, tiers and words in
    that language, date cells, tier colours, review notes, the referral clock; its CSV is
    UTF-8 with a byte-order mark in the language's separator and number form. Formula
    injection is neutralised in every CSV."""
    total, file = follow_up_download(svc, fmt, lang=lang, sort=sort, region=region,
                                     sector=sector, tier=tier, status=status,
                                     date_from=date_from, date_to=date_to, q=q)
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "export", "follow_up", fmt, rows=total, lang=lang,
                       filters={"region": region, "sector": sector, "tier": tier,
                                "status": status, "q": q})
    if isinstance(file, StreamedDownload):
        return StreamingResponse(file.chunks, media_type=file.media_type, headers=file.headers)
    return download(file)


def download(file) -> Response:  # noqa: ANN001 - an outputs.exports.Download
    """A download as a response with its file name."""
    return Response(file.content, media_type=file.media_type, headers=file.headers)


@router.get("/template.xlsx")
def template(svc: ServicesDep, user: Everyone, lang: Literal["en", "az"] = "en") -> Response:
    """The upload template (XLSX) generated from the upload contract: sheets ``visits`` and
    ``interviews`` with the contract's column names, a comment on each header in ``lang``
    (meaning, type, unit, allowed values, required), drop-downs for the choice and true/false
    columns (the region's from ``SCREENING_REGIONS``) and date cells."""
    from screening.ingest.regions import configured
    from screening.outputs.template import FILENAME, upload_template

    regions = configured(svc.settings.regions)
    return Response(upload_template(lang, regions.names if regions else None),
                    media_type=XLSX_TYPE, headers={
        "Content-Disposition": f"attachment; filename={FILENAME.format(lang=lang)}"})


@router.get("/indicators")
def indicators(svc: ServicesDep, user: Everyone) -> list[dict]:
    """The indicator catalogue with framework references and sources."""
    return [{"id": i.id, "level": i.spec.level, "name": i.spec.name.model_dump(),
             "description": i.spec.description.model_dump(), "sectors": i.spec.sectors,
             "weight": i.spec.weight, "tier_floor": i.spec.tier, "icls": i.spec.icls,
             "frameworks": [r.model_dump() for r in i.spec.frameworks],
             "kind": i.spec.kind, "strength": i.spec.strength,
             "legal_reference": (i.spec.legal_reference.model_dump()
                                 if i.spec.legal_reference else None)}
            for i in svc.catalogue.indicators]


@router.get("/models")
def models(svc: ServicesDep, user: Analyst) -> dict:
    """The model versions with their key metrics, which one is active, and whether it loaded
    (``active_status.problem`` says why not)."""
    from screening.model.versions import list_models

    table = list_models(svc.settings.models_dir)
    status = svc.models.status()
    return {"active": status.name, "active_status": status.as_dict(),
            "versions": table.to_dict("records") if not table.empty else []}


@router.get("/models/active/card")
def active_card(svc: ServicesDep, user: Analyst) -> dict:
    """The active model's card."""
    from screening.model.versions import read_card, resolve

    try:
        return read_card(resolve(svc.models.chosen(), svc.settings.models_dir))
    except ModelError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


class UserIn(BaseModel):
    """A new user."""

    name: str
    role: Literal[ROLES]  # type: ignore[valid-type]


@router.post("/users", status_code=201)
def add_user(body: UserIn, svc: ServicesDep, user: Admin) -> dict:
    """Create a user and return its token (shown once)."""
    created, token = accounts.create_user(svc.engine, body.name, body.role, by=user)
    return {"id": created.id, "name": created.name, "role": created.role, "token": token}


__all__ = ["download", "router"]
