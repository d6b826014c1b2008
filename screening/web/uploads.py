"""The inspector's upload pages: the form (with the correction option), the receipt, *My
uploads*, a receipt opened again, the rejected rows as CSV, the file with its errors marked,
and deleting a kept file.

The receipt groups the rejected cells by row and shows one visit's error once ("and its N
interviews"), in the page's language (:mod:`screening.outputs.rejections`); the CSV keeps one
row per cell with the English ``message`` and the sentence in the page's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from screening.errors import (
    NotFoundError,
    NotOwnVisitError,
    SameFileCorrectionError,
    ScreeningError,
    UploadRefused,
    http_status,
)
from screening.ingest.interpretations import describe
from screening.ingest.readers import suffix_of
from screening.outputs.rejections import reason_words, rejected_csv, rejected_lines
from screening.service.upload_history import (
    forget,
    marked_download,
    my_uploads,
    receipt_for,
    urgent_of,
)
from screening.service.uploads import UploadedFile, accept_upload
from screening.store import Receipt, audit, transaction
from screening.store.tables import RejectedRow, Upload, User
from screening.translation import ngettext
from screening.web.i18n import translate
from screening.web.security import WebError, check_csrf, lang, page_user, render

router = APIRouter(include_in_schema=False)
VISIT_READERS = ("monitor", "analyst", "admin")
"""Roles that may open a visit's page: the receipt links an urgent visit for them only."""


def _present(upload: UploadFile | None) -> UploadFile | None:
    return upload if upload is not None and upload.filename else None


def receipt_context(request: Request, receipt: Receipt, user: User) -> dict[str, Any]:
    """What the receipt template shows: the counts, the grouped rejected lines in the page's
    language, the urgent visits (with their referral case) and the marked file's links."""
    language = lang(request)
    svc = request.app.state.services
    return {
        "receipt": receipt.model_dump(mode="json"),
        "lines": rejected_lines(receipt.rejected_rows, language),
        "reason_words": lambda code: reason_words(code, language),
        "urgent": urgent_of(svc, receipt),
        "link_visits": user.role in VISIT_READERS,
        "interpreted": [describe(i, language) for i in receipt.interpretations],
    }


def _refusal(request: Request, exc: ScreeningError, name: str) -> str:
    """A refused upload in the page's language where the refusal is one the page knows."""
    language = lang(request)
    settings = request.app.state.services.settings
    if isinstance(exc, UploadRefused) and exc.code == "too_large":
        return translate(language, "refused_too_large", name=name,
                         mb=f"{settings.max_upload_mb:g}")
    if isinstance(exc, UploadRefused) and exc.code == "content_mismatch":
        return translate(language, "refused_content_mismatch", name=name,
                         suffix=suffix_of(name))
    if isinstance(exc, SameFileCorrectionError):
        return translate(language, "refused_same_correction", id=exc.upload_id)
    if isinstance(exc, NotOwnVisitError):
        return ngettext(language, "Visit '{visit}' was uploaded by another inspector: a "
                        "correction may replace only visits that you uploaded (or an admin). "
                        "Nothing was stored.",
                        "{n} visits of this file (the first: '{visit}') were uploaded by another "
                        "inspector: a correction may replace only visits that you uploaded (or "
                        "an admin). Nothing was stored.", exc.more + 1, visit=exc.visit_id)
    return translate(language, "upload_error", name=name, reason=str(exc))


@router.get("/upload")
def upload_form(request: Request, user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """The upload form with the correction option and links to the samples and the guide."""
    return render(request, "upload.html", user=user)


@router.post("/upload")
async def upload(request: Request, file: UploadFile | None = File(None),  # noqa: B008
                 interviews: UploadFile | None = File(None),  # noqa: B008
                 csrf: str = Form(""), correction: str = Form(""),  # noqa: B008
                 user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """Store the upload through the service's one code path (off the event loop) and render
    its receipt; ``correction`` is the form's "this file corrects visits I uploaded before"."""
    check_csrf(request, csrf)
    file, interviews = _present(file), _present(interviews)
    if file is None:
        return render(request, "upload.html", status=422, user=user, error_key="no_file")
    svc = request.app.state.services
    limit = int(svc.settings.max_upload_mb * 1e6)
    visits = UploadedFile(file.filename or "upload", await file.read(limit + 1))
    extra = (UploadedFile(interviews.filename or "upload", await interviews.read(limit + 1))
             if interviews is not None else None)
    is_correction = correction.strip().lower() in ("true", "on", "1", "yes")
    try:
        receipt = await run_in_threadpool(lambda: accept_upload(
            svc, user, visits, extra, correction=is_correction))
    except ScreeningError as exc:
        return render(request, "upload.html", status=http_status(exc), user=user,
                      error_text=_refusal(request, exc, visits.name), correction=is_correction)
    return render(request, "upload.html", status=201, user=user,
                  **receipt_context(request, receipt, user))


@router.get("/uploads")
def uploads(request: Request, user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """*My uploads*: each upload with its time, file, counts, urgent visits and receipt (an
    inspector sees their own, an admin everyone's)."""
    found = my_uploads(request.app.state.services, user)
    return render(request, "uploads.html", user=user, uploads=found,
                  link_visits=user.role in VISIT_READERS)


def _upload_id(value: int) -> int:
    if not 1 <= value < 2**31:
        raise WebError(404, "error_404", what=str(value))
    return value


@router.get("/uploads/{upload_id}")
def receipt_page(request: Request, upload_id: int,
                 user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """An upload's receipt opened again (its uploader or an admin; audited)."""
    try:
        receipt = receipt_for(request.app.state.services, user, _upload_id(upload_id))
    except NotFoundError:
        raise WebError(404, "error_404", what=translate(
            lang(request), "upload_n", id=upload_id)) from None
    return render(request, "receipt.html", user=user, reopened=True,
                  forgotten=request.query_params.get("forgotten") == "1",
                  **receipt_context(request, receipt, user))


@router.get("/uploads/{upload_id}/rejected.csv")
def rejected_download(request: Request, upload_id: int,
                      user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The rejected cells of an upload as CSV, one row per cell, with the sentence in the
    page's language (an inspector: their own uploads only; audited)."""
    engine = request.app.state.services.engine
    with transaction(engine) as db:
        found = db.get(Upload, upload_id) if 1 <= upload_id < 2**31 else None
        if found is None or (user.role == "inspector" and found.user_id != user.id):
            raise WebError(404, "error_404", what=translate(lang(request), "upload_n",
                                                            id=upload_id))
        cells = db.scalars(select(RejectedRow).where(
            RejectedRow.upload_id == upload_id).order_by(RejectedRow.id)).all()
        text = rejected_csv(cells, lang(request))
        audit(db, user, "rejected.read", "upload", upload_id, rows=len(cells), via="web")
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=upload-{upload_id}-rejected.csv"})


@router.get("/uploads/{upload_id}/marked/{part}")
def marked(request: Request, upload_id: int, part: str,
           user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """The kept file with its errors marked, messages in the page's language (uploader or
    admin; audited)."""
    try:
        file = marked_download(request.app.state.services, user, _upload_id(upload_id), part,
                               lang(request))
    except NotFoundError:
        raise WebError(404, "error_404", what=translate(
            lang(request), "marked_file_gone", id=upload_id)) from None
    return Response(file.content, media_type=file.media_type, headers=file.headers)


@router.post("/uploads/{upload_id}/forget")
def forget_file(request: Request, upload_id: int, csrf: str = Form(""),  # noqa: B008
                user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """Delete the kept files of an upload now and go back to its receipt (audited)."""
    check_csrf(request, csrf)
    try:
        forget(request.app.state.services, user, _upload_id(upload_id))
    except NotFoundError:
        raise WebError(404, "error_404", what=translate(
            lang(request), "upload_n", id=upload_id)) from None
    return RedirectResponse(f"/uploads/{upload_id}?forgotten=1", status_code=303)


__all__ = ["receipt_context", "router"]
