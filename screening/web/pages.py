"""Pages for everyone: landing, sign-in and sign-out, language, upload with its receipt, the
column guide and the indicator catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from screening.errors import ScreeningError, http_status
from screening.ingest.interpretations import describe
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.outputs import exports
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import EXAMPLES_DIR
from screening.store import audit, transaction
from screening.store.accounts import close_session, open_session
from screening.store.tables import RejectedRow, Upload, User
from screening.web.i18n import LANGUAGES
from screening.web.security import (
    HOMES,
    LANG_COOKIE,
    SESSION_COOKIE,
    WebError,
    check_csrf,
    lang,
    local_path,
    new_session,
    page_user,
    read_session,
    render,
    session_user,
    set_session,
)

router = APIRouter(include_in_schema=False)
SAMPLES = {"sample-visits.csv": "visits.csv", "sample-interviews.csv": "interviews.csv",
           "sample-visits-with-errors.csv": "visits-with-errors.csv"}


@router.get("/")
def landing(request: Request) -> Response:
    """The start page: a signed-in user goes to their home; others see the sign-in link and
    the API documentation link."""
    user = session_user(request)
    if user is not None:
        return RedirectResponse(HOMES[user.role], status_code=303)
    return render(request, "landing.html")


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """The sign-in form; it starts an anonymous session that holds the form's CSRF secret."""
    session = read_session(request)
    fresh = session is None
    session = session or new_session(None)
    response = render(request, "sign_in.html", next=local_path(next, ""),
                      csrf_override=session["csrf"])
    if fresh:
        set_session(request, response, session)
    return response


@router.post("/sign-in")
def sign_in(request: Request, token: str = Form(""), csrf: str = Form(""),  # noqa: B008
            next: str = Form("")) -> Response:  # noqa: A002
    """Check the token, audit ``sign_in``, start the user's session, go to the role's home."""
    check_csrf(request, csrf)
    svc = request.app.state.services
    address = request.client.host if request.client else None
    svc.sign_ins.check(token, address)
    opened = open_session(svc.engine, token.strip())
    if opened is None:
        svc.sign_ins.failed(svc.engine, token, address, via="web")
        return render(request, "sign_in.html", status=401, error=True, next=local_path(next, ""))
    user, secret = opened
    response = RedirectResponse(local_path(next, HOMES[user.role]), status_code=303)
    set_session(request, response, new_session(secret))
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf: str = Form("")) -> Response:  # noqa: B008
    """End the session in the store (a copied cookie is worth nothing from now on), clear the
    cookie and show the sign-in form."""
    session = check_csrf(request, csrf)
    close_session(request.app.state.services.engine, session.get("sid") or "")
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str | None = None) -> Response:  # noqa: A002
    """Remember the language for a year and go back (only ever to a path on this site)."""
    if code not in LANGUAGES:
        raise WebError(404, "error_404", what=code)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


def _sample(name: str):  # noqa: ANN202
    def serve() -> Response:
        return FileResponse(EXAMPLES_DIR / SAMPLES[name], media_type="text/csv", filename=name)

    serve.__doc__ = f"The sample upload file examples/{SAMPLES[name]}."
    return serve


for _name in SAMPLES:  # exact paths, so the other /static files still come from the mount
    router.add_api_route(f"/static/{_name}", _sample(_name), methods=["GET"])


@router.get("/upload")
def upload_form(request: Request, user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """The upload form with links to the sample file and the column guide."""
    return render(request, "upload.html", user=user)


def _present(upload: UploadFile | None) -> UploadFile | None:
    return upload if upload is not None and upload.filename else None


@router.post("/upload")
async def upload(request: Request, file: UploadFile | None = File(None),  # noqa: B008
                 interviews: UploadFile | None = File(None),  # noqa: B008
                 csrf: str = Form(""),  # noqa: B008
                 user: User = Depends(page_user("inspector"))) -> Response:  # noqa: B008
    """Store the upload through the service's one code path (off the event loop) and render
    its receipt."""
    check_csrf(request, csrf)
    file, interviews = _present(file), _present(interviews)
    if file is None:
        return render(request, "upload.html", status=422, user=user, error_key="no_file")
    svc = request.app.state.services
    limit = int(svc.settings.max_upload_mb * 1e6)
    visits = UploadedFile(file.filename or "upload", await file.read(limit + 1))
    extra = (UploadedFile(interviews.filename or "upload", await interviews.read(limit + 1))
             if interviews is not None else None)
    try:
        receipt = await run_in_threadpool(accept_upload, svc, user, visits, extra)
    except ScreeningError as exc:
        return render(request, "upload.html", status=http_status(exc),
                      user=user, error_name=file.filename, error_reason=str(exc))
    return render(request, "upload.html", status=201, user=user,
                  receipt=receipt.model_dump(mode="json"),
                  interpreted=[describe(i, lang(request)) for i in receipt.interpretations])


@router.get("/uploads/{upload_id}/rejected.csv")
def rejected_csv(request: Request, upload_id: int,
                 user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The rejected rows of an upload as CSV (an inspector: their own uploads only)."""
    engine = request.app.state.services.engine
    with transaction(engine) as db:
        found = db.get(Upload, upload_id) if 1 <= upload_id < 2**31 else None
        if found is None or (user.role == "inspector" and found.user_id != user.id):
            raise WebError(404, "error_404", what=f"upload {upload_id}")
        cells = db.scalars(select(RejectedRow).where(
            RejectedRow.upload_id == upload_id).order_by(RejectedRow.id)).all()
        text = exports.rejected_csv(cells)
        audit(db, user, "rejected.read", "upload", upload_id, rows=len(cells), via="web")
    return Response(text, media_type="text/csv", headers={
        "Content-Disposition": f"attachment; filename=upload-{upload_id}-rejected.csv"})


@router.get("/guide")
def guide(request: Request, user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The upload columns, derived from the record models (the one schema)."""
    return render(request, "guide.html", user=user,
                  tables=[("guide_visits", VISIT_COLUMNS),
                          ("guide_interviews", INTERVIEW_COLUMNS)])


@router.get("/indicators")
def indicators(request: Request, user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The catalogue grouped by framework and sector, with its sources."""
    catalogue = request.app.state.services.catalogue
    groups: dict[str, dict[str, list]] = {}
    for ind in catalogue.indicators:
        for framework in dict.fromkeys(r.framework for r in ind.spec.frameworks):
            sectors = ind.spec.sectors or [""]
            for sector in sectors:
                groups.setdefault(framework, {}).setdefault(sector, []).append(ind.spec)
    ordered = {fw: dict(sorted(by.items(), key=lambda kv: (kv[0] != "", kv[0])))
               for fw, by in groups.items()}
    policy = catalogue.settings.tier_policy
    tiers = [(t, getattr(policy, t)) for t in ("urgent", "high", "medium", "low")]
    return render(request, "indicators.html", user=user, groups=ordered,
                  sources=catalogue.settings.sources, tier_policy=tiers)


__all__ = ["router"]
