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

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from screening import api, web
from screening.api.errors import install as install_api_errors
from screening.api.errors import library_error
from screening.errors import ScreeningError
from screening.service import Services, open_services
from screening.settings import Settings

API_PREFIX = "/api/v1"


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
    services = services or open_services(settings, engine=engine)
    app = FastAPI(title="Forced-labour risk screening", version="1",
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
    web.mount(app)
    return app



__all__ = ["API_PREFIX", "create_app"]
