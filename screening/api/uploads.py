"""The upload routes of ``/api/v1``: upload (with ``correction``), the uploads, a receipt again,
the rejected rows, the file with its errors marked, and deleting a kept file."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from screening.api.deps import ServicesDep, require
from screening.api.errors import ApiError
from screening.outputs.rejections import rejected_csv
from screening.service.upload_history import forget, marked_download, receipt_for
from screening.service.uploads import UploadedFile, accept_upload
from screening.store import accounts, transaction
from screening.store.tables import KeptFile, RejectedRow, Upload, User
from screening.store.upload_files import urgent_visits
from screening.vocabulary import ROLES

router = APIRouter()
Everyone = Annotated[User, Depends(require(*ROLES))]
Uploader = Annotated[User, Depends(require("inspector", "admin"))]
UploadId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Language = Annotated[Literal["en", "az"], Query()]


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
    Rows identical to the stored visits count as ``unchanged``; with ``correction=true``
    changed stored visits are replaced (``corrected``), without it they are rejected
    (``already_stored``). The receipt says which model screened the visits, or why the rules
    alone did, and which visits became urgent (``urgent_visits``)."""
    limit = int(svc.settings.max_upload_mb * 1e6)
    visits = await _read_limited(file, limit)
    extra = await _read_limited(interviews, limit) if interviews is not None else None
    receipt = await run_in_threadpool(accept_upload, svc, user, visits, extra,
                                      correction=correction)
    return receipt.model_dump(mode="json")


@router.get("/uploads")
def uploads(svc: ServicesDep, user: Annotated[User, Depends(require("inspector", "analyst",
                                                                    "admin"))]) -> list[dict]:
    """The uploads with their counts and urgent visits: an inspector sees their own, analysts
    and admins all."""
    query = select(Upload).order_by(Upload.id.desc())
    if user.role == "inspector":
        query = query.where(Upload.user_id == user.id)
    with transaction(svc.engine, write=False) as session:
        found = session.scalars(query).all()
        urgent = urgent_visits(session, [u.id for u in found])
        kept: dict[int, list[str]] = {}
        for upload_id, part in session.execute(select(KeptFile.upload_id, KeptFile.part)):
            kept.setdefault(upload_id, []).append(part)
        return [{"upload_id": u.id, "file_name": u.file_name,
                 "created_at": u.created_at.isoformat(),
                 "visits_accepted": u.visits_accepted, "visits_rejected": u.visits_rejected,
                 "interviews_accepted": u.interviews_accepted,
                 "interviews_rejected": u.interviews_rejected,
                 "visits_unchanged": u.visits_unchanged,
                 "interviews_unchanged": u.interviews_unchanged,
                 "visits_corrected": u.visits_corrected,
                 "interviews_corrected": u.interviews_corrected,
                 "is_correction": u.is_correction,
                 "urgent_visits": urgent.get(u.id, []),
                 "kept_files": kept.get(u.id, [])} for u in found]


@router.get("/uploads/{upload_id}")
def receipt(upload_id: UploadId, svc: ServicesDep, user: Uploader) -> dict:
    """An upload's receipt again (its uploader or an admin; audited)."""
    return receipt_for(svc, user, upload_id, via="api").model_dump(mode="json")


@router.get("/uploads/{upload_id}/rejected.csv")
def rejected(upload_id: UploadId, svc: ServicesDep, user: Everyone,
             lang: Language = "en") -> Response:
    """The rejected cells of an upload as CSV, one row per cell: source, table, row, column,
    value, reason, message (English), then ``explanation`` and ``reason_words`` in ``lang``."""
    with transaction(svc.engine) as session:
        found = session.get(Upload, upload_id)
        if found is None or (user.role == "inspector" and found.user_id != user.id):
            raise ApiError(404, "not_found", f"No upload {upload_id} of yours.")
        rows = session.scalars(select(RejectedRow).where(RejectedRow.upload_id == upload_id)
                               .order_by(RejectedRow.id)).all()
        text = rejected_csv(rows, lang)
        accounts.audit(session, user, "rejected.read", "upload", upload_id, rows=len(rows))
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get("/uploads/{upload_id}/marked/{part}")
def marked(upload_id: UploadId, part: Literal["visits", "interviews"], svc: ServicesDep,
           user: Uploader, lang: Language = "en") -> Response:
    """The kept file of an upload with its errors marked (CSV: a column ``upload_errors``;
    XLSX: failing cells filled red with a comment), messages in ``lang``; its uploader or an
    admin, while the file is kept (audited)."""
    file = marked_download(svc, user, upload_id, part, lang, via="api")
    return Response(file.content, media_type=file.media_type, headers=file.headers)


@router.delete("/uploads/{upload_id}/files")
def delete_files(upload_id: UploadId, svc: ServicesDep, user: Uploader) -> dict:
    """Delete the kept files of an upload now (its uploader or an admin; audited)."""
    return {"upload_id": upload_id, "deleted": forget(svc, user, upload_id)}


__all__ = ["router"]
