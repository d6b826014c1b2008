"""Pages for everyone: landing, sign-in and sign-out, language, the sample files, the column
guide and the indicator catalogue (the upload pages are :mod:`screening.web.uploads`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from screening.ingest.regions import configured
from screening.outputs import exports
from screening.outputs.column_guide import column_guide
from screening.outputs.template import FILENAME as TEMPLATE_NAME
from screening.outputs.template import upload_template
from screening.settings import EXAMPLES_DIR
from screening.store.accounts import NAME_LIMIT, close_session, open_session
from screening.store.passwords import open_password_session
from screening.store.tables import User
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
def sign_in_form(request: Request, next: str | None = None,  # noqa: A002
                 with_: str | None = Query(None, alias="with")) -> Response:  # noqa: B008
    """The sign-in form (name and password; ``?with=token`` for an API token); it starts an
    anonymous session that holds the form's CSRF secret."""
    session = read_session(request)
    fresh = session is None
    session = session or new_session(None)
    response = render(request, "sign_in.html", next=local_path(next, ""),
                      mode="token" if with_ == "token" else "password",
                      csrf_override=session["csrf"])
    if fresh:
        set_session(request, response, session)
    return response


@router.post("/sign-in")
def sign_in(request: Request, name: str = Form(""), password: str = Form(""),  # noqa: B008
            token: str = Form(""), csrf: str = Form(""),  # noqa: B008
            next: str = Form("")) -> Response:  # noqa: A002
    """Check the name and password (or, from the token form, the token), audit ``sign_in``,
    start the user's session and go to the role's home. A failure counts against the
    sign-in limits and answers one message whatever was wrong."""
    check_csrf(request, csrf)
    svc = request.app.state.services
    address = request.client.host if request.client else None
    with_token = bool(token.strip())
    if with_token:
        svc.sign_ins.check(token, address)
        opened = open_session(svc.engine, token.strip())
    else:
        svc.sign_ins.check("", address, name=name)
        opened = open_password_session(svc.engine, name, password)
    if opened is None:
        svc.sign_ins.failed(svc.engine, token, address, via="web",
                            name=None if with_token else name)
        return render(request, "sign_in.html", status=401, error=True,
                      mode="token" if with_token else "password",
                      user_name=name.strip()[:NAME_LIMIT], next=local_path(next, ""))
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


def _regions(request: Request) -> tuple[str, ...] | None:
    """The configured regions' names (None: any region is accepted)."""
    found = configured(request.app.state.services.settings.regions)
    return found.names if found is not None else None


@router.get("/guide")
def guide(request: Request, user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The upload columns in words, generated from the upload contract: each column's sheet or
    file, meaning, type, unit, allowed values and whether it is required; the template."""
    return render(request, "guide.html", user=user,
                  guide=column_guide(lang(request), _regions(request)),
                  headings={"visits": "guide_visits", "interviews": "guide_interviews"})


@router.get("/template.xlsx")
def template(request: Request, lang_: str | None = Query(None, alias="lang"),  # noqa: B008
             user: User = Depends(page_user())) -> Response:  # noqa: B008
    """The upload template (XLSX, generated from the upload contract) in the page's language,
    or in ``?lang=en|az``."""
    chosen = lang_ if lang_ in LANGUAGES else lang(request)
    name = TEMPLATE_NAME.format(lang=chosen)
    return Response(upload_template(chosen, _regions(request)), media_type=exports.XLSX_TYPE,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


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
