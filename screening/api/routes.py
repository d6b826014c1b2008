"""The routes of ``/api/v1``: upload, follow-up list, visit detail, review, export, catalogue,
models. Each route names the roles it lets through."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from screening.api.app import ApiError, Services, require, services
from screening.api.queries import follow_up_page, visit_detail
from screening.errors import LoaderError
from screening.store import accounts
from screening.store.engine import StoreError, transaction
from screening.store.reviews import record_review
from screening.store.tables import User
from screening.store.uploads import store_upload

router = APIRouter()
EVERYONE = ("inspector", "monitor", "analyst", "admin")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAGIC = {".xlsx": b"PK", ".parquet": b"PAR1"}


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, "too_large", f"The file {upload.filename!r} is larger than the "
                                         f"limit of {limit / 1e6:.0f} MB.")
    return content


def _save(folder: Path, upload: UploadFile, content: bytes) -> Path:
    name = _SAFE_NAME.sub("_", Path(upload.filename or "upload").name) or "upload"
    suffix = Path(name).suffix.lower()
    magic = _MAGIC.get(suffix)
    if magic and not content.startswith(magic):
        raise ApiError(415, "content_mismatch", f"The file {upload.filename!r} is named "
                                                f"{suffix} but its content is not {suffix}.")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def _model(svc: Services):  # noqa: ANN202
    from screening.versions import ModelError, load

    name = svc.settings.active_model
    if not name:
        return None
    if name not in svc.model_cache:
        try:
            svc.model_cache[name] = load(name, svc.catalogue)
        except ModelError:
            svc.model_cache[name] = None
    return svc.model_cache[name]


@router.post("/uploads", status_code=201)
async def upload(request: Request, file: UploadFile = File(...),  # noqa: B008
                 interviews: UploadFile | None = File(None),  # noqa: B008
                 correction: bool = Form(False), svc: Services = Depends(services),  # noqa: B008
                 user: User = Depends(require("inspector", "admin"))) -> dict:  # noqa: B008
    """Upload visits (and interviews): validated, screened with the active model, stored in
    one transaction; returns the receipt (the same file again returns the first receipt)."""
    from screening.loaders import load_upload
    from screening.pipeline import screen_frames

    limit = int(svc.settings.max_upload_mb * 1e6)
    content = await _read_limited(file, limit)
    extra = await _read_limited(interviews, limit) if interviews is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        path = _save(Path(tmp), file, content)
        other = _save(Path(tmp) / "interviews", interviews, extra) if interviews else None
        try:
            loaded = load_upload(path, other)
        except LoaderError as exc:
            message = str(exc).replace(str(Path(tmp)) + "/", "")
            raise ApiError(422, "unusable_file", message) from None
    screening = screen_frames(loaded.visits, loaded.interviews, model=_model(svc),
                              rejected=loaded.rejected, engine=None)
    try:
        receipt = store_upload(svc.engine, user=user, file_name=file.filename or path.name,
                               content=content + (extra or b""), loaded=loaded,
                               screening=screening, correction=correction)
    except StoreError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return receipt.model_dump(mode="json")


@router.get("/uploads")
def uploads(svc: Services = Depends(services),  # noqa: B008
            user: User = Depends(require("inspector", "analyst", "admin"))  # noqa: B008
            ) -> list[dict]:
    """The uploads with their counts: an inspector sees their own, analysts and admins all."""
    from sqlalchemy import select

    from screening.store.tables import Upload

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
def rejected_csv(upload_id: int, svc: Services = Depends(services),  # noqa: B008
                 user: User = Depends(require(*EVERYONE))) -> Response:  # noqa: B008
    """The rejected rows of an upload (row, column, value, reason) as CSV."""
    from screening.store.tables import RejectedRow, Upload

    with transaction(svc.engine, write=False) as session:
        found = session.get(Upload, upload_id)
        if found is None or (user.role == "inspector" and found.user_id != user.id):
            raise ApiError(404, "not_found", f"No upload {upload_id} of yours.")
        rows = session.query(RejectedRow).filter(RejectedRow.upload_id == upload_id).all()
        frame = pd.DataFrame([{c: getattr(r, c) for c in (
            "source", "table", "row", "column", "value", "reason", "message")} for r in rows],
            columns=["source", "table", "row", "column", "value", "reason", "message"])
    return Response(neutralised(frame).to_csv(index=False), media_type="text/csv")


@router.get("/visits")
def follow_up(svc: Services = Depends(services),  # noqa: B008
              user: User = Depends(require("monitor", "analyst", "admin")),  # noqa: B008
              region: str | None = None, sector: str | None = None, tier: str | None = None,
              status: str | None = None, date_from: dt.date | None = None,
              date_to: dt.date | None = None, page: int = Query(1, ge=1),
              per_page: int = Query(50, ge=1, le=500),
              sort: Literal["rank", "date", "date_ascending"] = "rank") -> dict:
    """The ranked follow-up list with the latest review status, filtered and paginated."""
    total, rows = follow_up_page(svc.engine, region=region, sector=sector, tier=tier,
                                 status=status, date_from=date_from, date_to=date_to,
                                 page=page, per_page=per_page, sort=sort)
    return {"total": total, "page": page, "per_page": per_page, "visits": rows}


@router.get("/visits/{visit_id}")
def detail(visit_id: str, svc: Services = Depends(services),  # noqa: B008
           user: User = Depends(require("monitor", "analyst", "admin"))) -> dict:  # noqa: B008
    """One visit: fired indicators with evidence, ICLS workers, risk score, site history and
    reviews. Every read is written to the audit log."""
    found = visit_detail(svc.engine, visit_id)
    if found is None:
        raise ApiError(404, "not_found", f"No visit {visit_id!r}.")
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "visit.read", "visit", visit_id)
    return found


class ReviewIn(BaseModel):
    """A review event from the monitoring centre."""

    status: Literal["scheduled", "visited", "decided"]
    scheduled_for: dt.date | None = None
    inspector: str | None = None
    outcome: Literal["forced_labour", "labour_violation", "no_violation"] | None = None
    notes: str | None = None
    decided_on: dt.date | None = None


@router.post("/visits/{visit_id}/reviews", status_code=201)
def review(visit_id: str, body: ReviewIn, svc: Services = Depends(services),  # noqa: B008
           user: User = Depends(require("monitor", "admin"))) -> dict:  # noqa: B008
    """Record a review event (scheduled, visited, decided with an outcome)."""
    try:
        event = record_review(svc.engine, visit_id=visit_id, reviewer=user, **body.model_dump())
    except StoreError as exc:
        status = 404 if isinstance(exc, LookupError) else 422
        raise ApiError(status, "review_refused", str(exc)) from None
    return {"id": event.id, "visit_id": visit_id, "status": event.status,
            "outcome": event.outcome}


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe.

    >>> neutralised(pd.DataFrame({"a": ["=1+1", "ok", "-2", "@x"]}))["a"].tolist()
    ["'=1+1", 'ok', "'-2", "'@x"]
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            values = out[column].astype(object)
            risky = values.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA))
            out[column] = values.where(~risky, "'" + values.astype(str))
    return out


@router.get("/export.{fmt}")
def export(fmt: Literal["csv", "xlsx"], svc: Services = Depends(services),  # noqa: B008
           user: User = Depends(require("monitor", "admin")),  # noqa: B008
           region: str | None = None, sector: str | None = None, tier: str | None = None,
           status: str | None = None) -> Response:
    """The filtered follow-up list as CSV or XLSX, formula injection neutralised (audited)."""
    total, rows = follow_up_page(svc.engine, region=region, sector=sector, tier=tier,
                                 status=status, page=1, per_page=10**9, sort="rank")
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "export", "follow_up", fmt, rows=total,
                       filters={"region": region, "sector": sector, "tier": tier,
                                "status": status})
    return export_response(rows, fmt)


def export_response(rows: list[dict], fmt: str) -> Response:
    """The follow-up list's rows as a CSV or XLSX download, formula injection neutralised."""
    frame = neutralised(pd.DataFrame(rows))
    if fmt == "csv":
        return Response(frame.to_csv(index=False), media_type="text/csv", headers={
            "Content-Disposition": "attachment; filename=follow-up.csv"})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="follow-up")
    return Response(buffer.getvalue(), headers={
        "Content-Disposition": "attachment; filename=follow-up.xlsx"},
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/indicators")
def indicators(svc: Services = Depends(services),  # noqa: B008
               user: User = Depends(require(*EVERYONE))) -> list[dict]:  # noqa: B008
    """The indicator catalogue with framework references and sources."""
    return [{"id": i.id, "level": i.spec.level, "name": i.spec.name.model_dump(),
             "description": i.spec.description.model_dump(), "sectors": i.spec.sectors,
             "weight": i.spec.weight, "tier_floor": i.spec.tier, "icls": i.spec.icls,
             "frameworks": [r.model_dump() for r in i.spec.frameworks],
             "legal_reference": i.spec.legal_reference} for i in svc.catalogue.indicators]


@router.get("/models")
def models(svc: Services = Depends(services),  # noqa: B008
           user: User = Depends(require("analyst", "admin"))) -> dict:  # noqa: B008
    """The model versions with their key metrics, and which one is active."""
    from screening.versions import list_models

    table = list_models()
    return {"active": svc.settings.active_model,
            "versions": table.to_dict("records") if not table.empty else []}


@router.get("/models/active/card")
def active_card(svc: Services = Depends(services),  # noqa: B008
                user: User = Depends(require("analyst", "admin"))) -> dict:  # noqa: B008
    """The active model's card."""
    from screening.versions import ModelError, read_card, resolve

    try:
        return read_card(resolve(svc.settings.active_model))
    except ModelError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


class UserIn(BaseModel):
    """A new user."""

    name: str
    role: Literal["inspector", "monitor", "analyst", "admin"]


@router.post("/users", status_code=201)
def add_user(body: UserIn, svc: Services = Depends(services),  # noqa: B008
             user: User = Depends(require("admin"))) -> dict:  # noqa: B008
    """Create a user and return its token (shown once)."""
    try:
        created, token = accounts.create_user(svc.engine, body.name, body.role, by=user)
    except StoreError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return {"id": created.id, "name": created.name, "role": created.role, "token": token}


__all__ = ["export_response", "neutralised", "router"]
