"""The routes of ``/api/v1``: upload, follow-up list, visit detail, review, export, catalogue,
models, users. Each route names the roles it lets through; the work is the service layer's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from screening.api.deps import ServicesDep, require
from screening.api.errors import ApiError
from screening.errors import ModelError
from screening.outputs.exports import XLSX_TYPE, rejected_csv
from screening.service.exports import follow_up_download
from screening.service.follow_up import MAX_PAGE, follow_up_page, visit_detail
from screening.service.referrals import case_of_visit
from screening.service.uploads import UploadedFile, accept_upload
from screening.store import accounts, record_review, transaction
from screening.store.tables import RejectedRow, Upload, User
from screening.vocabulary import REVIEW_STATUSES, ROLES

router = APIRouter()
Everyone = Annotated[User, Depends(require(*ROLES))]
Uploader = Annotated[User, Depends(require("inspector", "admin"))]
Reader = Annotated[User, Depends(require("monitor", "analyst", "admin"))]
Reviewer = Annotated[User, Depends(require("monitor", "admin"))]
Analyst = Annotated[User, Depends(require("analyst", "admin"))]
Admin = Annotated[User, Depends(require("admin"))]
UploadId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def _read_limited(upload: UploadFile, limit: int) -> UploadedFile:
    """The upload's bytes, reading at most one byte over the limit (refused by the service)."""
    return UploadedFile(upload.filename or "upload", await upload.read(limit + 1))


@router.post("/uploads", status_code=201)
async def upload(svc: ServicesDep, user: Uploader,
                 file: Annotated[UploadFile, File()],
                 interviews: Annotated[UploadFile | None, File()] = None,
                 correction: Annotated[bool, Form()] = False) -> dict:
    """Upload visits (and interviews): validated, screened with the active model, stored in
    one transaction; returns the receipt (the same file again returns the first receipt).
    The receipt says which model screened the visits, or why the rules alone did."""
    limit = int(svc.settings.max_upload_mb * 1e6)
    visits = await _read_limited(file, limit)
    extra = await _read_limited(interviews, limit) if interviews is not None else None
    receipt = await run_in_threadpool(accept_upload, svc, user, visits, extra,
                                      correction=correction)
    return receipt.model_dump(mode="json")


@router.get("/uploads")
def uploads(svc: ServicesDep, user: Annotated[User, Depends(require("inspector", "analyst",
                                                                    "admin"))]) -> list[dict]:
    """The uploads with their counts: an inspector sees their own, analysts and admins all."""
    query = select(Upload).order_by(Upload.id.desc())
    if user.role == "inspector":
        query = query.where(Upload.user_id == user.id)
    with transaction(svc.engine, write=False) as session:
        return [{"upload_id": u.id, "file_name": u.file_name, "created_at": u.created_at
                 .isoformat(), "visits_accepted": u.visits_accepted,
                 "visits_rejected": u.visits_rejected,
                 "interviews_accepted": u.interviews_accepted,
                 "interviews_rejected": u.interviews_rejected,
                 "is_correction": u.is_correction} for u in session.scalars(query)]


@router.get("/uploads/{upload_id}/rejected.csv")
def rejected(upload_id: UploadId, svc: ServicesDep, user: Everyone) -> Response:
    """The rejected rows of an upload (row, column, value, reason) as CSV."""
    with transaction(svc.engine) as session:
        found = session.get(Upload, upload_id)
        if found is None or (user.role == "inspector" and found.user_id != user.id):
            raise ApiError(404, "not_found", f"No upload {upload_id} of yours.")
        rows = session.scalars(select(RejectedRow).where(RejectedRow.upload_id == upload_id)
                               .order_by(RejectedRow.id)).all()
        text = rejected_csv(rows)
        accounts.audit(session, user, "rejected.read", "upload", upload_id, rows=len(rows))
    return Response(text, media_type="text/csv")


@router.get("/visits")
def follow_up(svc: ServicesDep, user: Reader, region: str | None = None,
              sector: str | None = None, tier: str | None = None, status: str | None = None,
              date_from: dt.date | None = None, date_to: dt.date | None = None,
              page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
              per_page: Annotated[int, Query(ge=1, le=500)] = 50,
              sort: Literal["rank", "date", "date_ascending"] = "rank") -> dict:
    """The ranked follow-up list with the latest review status and, for urgent visits, the
    referral clock (``referral_hours_left``, ``referral_overdue``), filtered and paginated.
    Every page read is written to the audit log."""
    total, rows = follow_up_page(svc.engine, region=region, sector=sector, tier=tier,
                                 status=status, date_from=date_from, date_to=date_to,
                                 page=page, per_page=per_page, sort=sort,
                                 now=svc.settings.now())
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "list.read", "follow_up", None, page=page,
                       per_page=per_page, rows=len(rows),
                       filters={"region": region, "sector": sector, "tier": tier,
                                "status": status})
    return {"total": total, "page": page, "per_page": per_page, "visits": rows}


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
           lang: Literal["en", "az"] | None = None) -> Response:
    """The filtered follow-up list as CSV or XLSX (audited).

    Without ``lang``: for machines, the follow-up list contract's column names, codes and ISO
    dates (plain UTF-8 CSV; a typed, formatted XLSX with the same headers). With ``lang``
    (``en`` or ``az``): the file the list page gives, for people: headers, tiers and words in
    that language, date cells, tier colours, review notes, the referral clock; its CSV is
    UTF-8 with a byte-order mark in the language's separator and number form. Formula
    injection is neutralised in every CSV."""
    total, file = follow_up_download(svc, fmt, lang=lang, region=region, sector=sector,
                                     tier=tier, status=status, date_from=date_from,
                                     date_to=date_to)
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "export", "follow_up", fmt, rows=total, lang=lang,
                       filters={"region": region, "sector": sector, "tier": tier,
                                "status": status})
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
