"""The one module that composes the service: the API at ``/api/v1`` and the web pages.

:func:`create_app` opens the services once (store migrated, catalogue compiled, active model
service), mounts the API's routes and the pages, and sends the library's errors to the API's
JSON shape or to an HTML page depending on where the request went.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from screening.settings import Settings
>>> app = create_app(Settings(data_dir=Path(tempfile.mkdtemp())))
>>> "/api/v1/indicators" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening import api, web
from screening.api.errors import (
    http_error,
    internal_error,
    invalid_request,
    library_error,
    validation_message,
)
from screening.api.guard import RequestGuard
from screening.errors import ScreeningError
from screening.service import Services, open_services
from screening.settings import Settings

API_PREFIX = "/api/v1"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure_logging(level: int = logging.INFO) -> None:
    """Structured JSON log lines on standard error, for the library's loggers (``screening.*``)
    and the access log alike; each line of a request carries its ``request_id``."""
    shared = [structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
              structlog.processors.TimeStamper(fmt="iso", utc=True)]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr), cache_logger_on_first_use=True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer()], foreign_pre_chain=shared))
    root = logging.getLogger("screening")
    root.handlers = [handler]
    root.setLevel(level)


class RequestLog:
    """ASGI middleware: a request id (the client's ``X-Request-ID`` when it is plain, else a new
    one) bound to every log line of the request, sent back in ``X-Request-ID``, and one access
    line per request (method, path, status, duration); query strings are not logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("screening.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        started, status = time.perf_counter(), 500
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info("request", method=scope["method"], path=scope["path"],
                          status=status,
                          duration_ms=round(1000 * (time.perf_counter() - started), 1))
            structlog.contextvars.unbind_contextvars("request_id")


log = logging.getLogger("screening.service")
_WEB_KEYS = {404: "error_404", 403: "error_403", 405: "error_405"}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               services: Services | None = None) -> FastAPI:
    """Build the service (API and pages) on ``settings`` (default: the environment's).

    Parameters
    ----------
    settings : Settings, optional
    engine : sqlalchemy.Engine, optional
        An existing store (tests).
    services : Services, optional
        Ready services (tests); ``settings`` and ``engine`` are then ignored.
    """
    configure_logging()
    services = services or open_services(settings, engine=engine)
    app = FastAPI(title="Forced-labour risk screening", version="1", docs_url=None,
                  redoc_url=None, redirect_slashes=False,
                  description="Uploads with receipts, the ranked follow-up list, reviews, "
                              "indicators and models. Every call needs a bearer token.")
    app.state.services = services
    _install_errors(app)

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(api.health.router)
    api.docs.mount_docs(app)
    web.mount(app)
    app.add_middleware(RequestGuard, services=services, api_prefix=API_PREFIX,
                       signed_in=lambda scope: web.session_user(Request(scope)) is not None)
    # a Host header that is not ours is refused before anything reads the request
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=services.settings.hosts)
    app.add_middleware(RequestLog)  # outermost: every answer is logged, refusals included
    return app


def _install_errors(app: FastAPI) -> None:
    """Every failure in the one shape: JSON under ``/api/v1``, an HTML page elsewhere."""

    def is_api(request: Request) -> bool:
        # every path under /api answers JSON, an unknown version too (/api/v2/...)
        path = request.url.path
        return path.startswith(API_PREFIX) or path == "/api" or path.startswith("/api/")

    @app.exception_handler(ScreeningError)
    async def _library_error(request: Request, exc: ScreeningError) -> Response:
        if is_api(request):
            return library_error(exc)
        return web.library_error_page(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):
            return http_error(exc)
        key = _WEB_KEYS.get(exc.status_code, "error_message")
        values = ({"what": request.url.path} if key == "error_404" else
                  {"role": "-"} if key == "error_403" else
                  {"method": request.method} if key == "error_405" else
                  {"message": str(exc.detail)})
        page = web.error_page(request, exc.status_code, key, **values)
        if exc.headers and "allow" in {k.lower() for k in exc.headers}:  # 405 says what works
            page.headers.update({k: v for k, v in exc.headers.items() if k.lower() == "allow"})
        return page

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return invalid_request(exc)
        return web.error_page(request, 422, "error_request", message=validation_message(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("Unexpected %s answering %s %s", type(exc).__name__, request.method,
                  request.url.path, exc_info=(type(exc), exc, exc.__traceback__))
        if is_api(request):
            return internal_error()
        return web.error_page(request, 500, "error_500")


__all__ = ["API_PREFIX", "RequestLog", "configure_logging", "create_app"]
