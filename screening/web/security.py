"""Sessions (signed cookies), CSRF tokens, role checks, security headers and page rendering."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening.errors import ScreeningError, http_status
from screening.store.accounts import session_owner
from screening.store.tables import User
from screening.translation import gettext, language_of, negotiate, ngettext
from screening.web.formats import FILTERS
from screening.web.i18n import translate

SESSION_COOKIE = "screening_session"
LANG_COOKIE = "screening_lang"
SESSION_MAX_AGE = 12 * 3600
"""A session lasts 12 hours at most; sign-out, a revoked token or a deactivated user end it at
once (the session is kept in the store; the cookie holds its secret)."""
HOMES = {"inspector": "/upload", "monitor": "/list", "analyst": "/model", "admin": "/list"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
"""The API documentation pages (Swagger UI, ReDoc, served from the package): scripts only from
this site, as everywhere; inline styles, which both libraries set, allowed."""
_DOC_PATHS = ("/docs", "/redoc", "/docs-assets")
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
templates = Environment(loader=FileSystemLoader(TEMPLATES),
                        autoescape=select_autoescape(default=True, default_for_string=True))
templates.filters.update(FILTERS)


class WebError(Exception):
    """An expected failure of a page, rendered as an HTML page with its status."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


class SignInRequired(Exception):  # noqa: N818 (a signal, not an error)
    """No valid session: the page redirects to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: kept in ``web-secret.key`` in the data folder (made
    once, readable by its owner only), so sessions survive a restart."""
    path = Path(data_dir) / "web-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def serializer(request: Request) -> URLSafeTimedSerializer:
    """The app's cookie signer."""
    return request.app.state.web_signer


def read_session(request: Request) -> dict[str, Any] | None:
    """The request's signed cookie (``sid``: the store session's secret or None, ``csrf``), or
    None when absent or tampered."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = serializer(request).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("csrf"), str) else None


def new_session(sid: str | None) -> dict[str, Any]:
    """A fresh cookie with a new CSRF secret (rotated at every sign-in and sign-out); ``sid``
    is the secret of the store session (None before sign-in)."""
    return {"sid": sid, "csrf": secrets.token_urlsafe(32)}


def set_session(request: Request, response: HTMLResponse, session: dict[str, Any]) -> None:
    """Write the signed session cookie: HttpOnly, SameSite=Lax, Path=/ (Secure over HTTPS)."""
    response.set_cookie(SESSION_COOKIE, serializer(request).dumps(session),
                        max_age=SESSION_MAX_AGE, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def session_user(request: Request) -> User | None:
    """The active user of the request's session, or None."""
    session = read_session(request)
    if not session or not isinstance(session.get("sid"), str):
        return None
    return session_owner(request.app.state.services.engine, session["sid"],
                         dt.timedelta(seconds=SESSION_MAX_AGE))


def page_user(*roles: str):  # noqa: ANN201
    """A dependency: the signed-in user when their role may see the page (admin may see all);
    redirect to the sign-in form without a session, a 403 page for another role."""

    def check(request: Request) -> User:
        user = session_user(request)
        if user is None:
            raise SignInRequired(request.url.path)
        if roles and user.role not in roles and user.role != "admin":
            raise WebError(403, "error_403", role=translate(lang(request), f"role_{user.role}"))
        return user

    return check


def check_csrf(request: Request, token: str | None) -> dict[str, Any]:
    """Refuse (403) a form whose ``csrf`` field does not match the session's secret."""
    session = read_session(request)
    if not session or not token or not hmac.compare_digest(session["csrf"], str(token)):
        raise WebError(403, "error_csrf")
    return session


def lang(request: Request) -> str:
    """The language chosen with the language links (a cookie), else the one the browser
    prefers (``Accept-Language``) on a first visit, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen:
        return language_of(chosen)
    return negotiate(request.headers.get("accept-language"))


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site (``/x``, not ``//host`` or a URL), else
    ``default``: redirects never leave the site.

    >>> local_path("/list?page=2"), local_path("//evil.example/"), local_path("https://x/")
    ('/list?page=2', '/', '/')
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def render(request: Request, name: str, status: int = 200, user: User | None = None,
           **context: Any) -> HTMLResponse:
    """Render a template with the page's language, user, CSRF token and path."""
    language = lang(request)
    session = read_session(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def t(key: str, **values: object) -> str:
        return translate(language, key, **values)

    def _(message: str, **values: object) -> str:
        return gettext(language, message, **values)

    def plural(singular: str, plural_: str, n: int, **values: object) -> str:
        return ngettext(language, singular, plural_, n, **values)

    csrf = context.pop("csrf_override", None) or (session or {}).get("csrf", "")
    html = templates.get_template(name).render(
        request=request, lang=language, t=t, _=_, ngettext=plural, user=user, csrf=csrf,
        here=quote(path, safe="/?=&"), homes=HOMES, **context)
    return HTMLResponse(html, status_code=status)


class SecurityHeaders:
    """ASGI middleware: CSP without inline script, nosniff, no framing, same-origin referrer,
    and ``Cache-Control: no-store`` on everything but the static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(_DOC_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if not scope["path"].startswith("/static/"):
                    # pages and API answers carry personal data: never kept by a browser or
                    # a proxy (the back button after sign-out shows nothing)
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)




def library_error_page(request: Request, exc: ScreeningError) -> Response:
    """A library error that reached a page, as an HTML page with the error's status."""
    return render(request, "error.html", status=http_status(exc),
                  user=session_user(request), key="error_message", values={"message": str(exc)})


def error_page(request: Request, status: int, key: str, **values: object) -> Response:
    """Any failure of a page as the HTML error page (never a traceback or plain text)."""
    try:
        user = session_user(request)
    except Exception:  # noqa: BLE001 - the store itself may be what failed
        user = None
    return render(request, "error.html", status=status, user=user, key=key, values=values)


def mount(app: FastAPI) -> None:
    """Add the pages to ``app`` (call once, before the app starts)."""
    from screening.web import analyst, monitor, pages, referrals

    data_dir = Path(app.state.services.settings.data_dir)
    app.state.web_signer = URLSafeTimedSerializer(secret_key(data_dir), salt="web-session")

    async def _web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        return render(request, "error.html", status=exc.status, user=session_user(request),
                      key=exc.key, values=exc.values)

    async def _sign_in(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(f"/sign-in?next={quote(exc.next_path, safe='')}",
                                status_code=303)

    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(SignInRequired, _sign_in)
    for module in (pages, monitor, referrals, analyst):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)


__all__ = ["CSP", "HOMES", "LANG_COOKIE", "SESSION_COOKIE", "SecurityHeaders",
           "SignInRequired", "WebError", "check_csrf", "error_page", "lang", "library_error_page",
           "local_path", "mount", "new_session", "page_user", "read_session", "render",
           "secret_key", "session_user", "set_session"]
