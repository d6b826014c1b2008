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
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening import api, web
from screening.api.errors import install as install_api_errors
from screening.api.errors import library_error
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
                  redoc_url=None,
                  description="Uploads with receipts, the ranked follow-up list, reviews, "
                              "indicators and models. Every call needs a bearer token.")
    app.state.services = services
    install_api_errors(app)

    @app.exception_handler(ScreeningError)
    async def _library_error(request: Request, exc: ScreeningError) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return library_error(exc)
        return web.library_error_page(request, exc)

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(api.health.router)
    api.docs.mount_docs(app)
    web.mount(app)
    app.add_middleware(RequestLog)
    return app



__all__ = ["API_PREFIX", "RequestLog", "configure_logging", "create_app"]
