"""The API's documentation pages, served from the package: Swagger UI 5 (vendored in
``screening/api/static/vendor/swagger-ui``, Apache-2.0) on ``/docs`` and ReDoc (vendored in
``screening/api/static/vendor/redoc``, MIT) on ``/redoc``.
Nothing is fetched from a CDN, so both work on an offline network, and neither page has an
inline script (they start from ``/docs-assets/*-init.js``), so they keep a
Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)
ASSETS = "/docs-assets"
SWAGGER_ASSETS = f"{ASSETS}/vendor/swagger-ui"
STATIC = Path(__file__).parent / "static"

_SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{{title}} — API documentation</title>
<link rel="stylesheet" href="{SWAGGER_ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{SWAGGER_ASSETS}/swagger-ui-bundle.js"></script>
<script src="{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js"></script>
<script src="{ASSETS}/swagger-init.js"></script></body></html>
"""
_REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{{title}} — API reference</title></head>
<body><div id="redoc"></div>
<script src="{ASSETS}/vendor/redoc/redoc.standalone.js"></script>
<script src="{ASSETS}/redoc-init.js"></script></body></html>
"""


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from the package (the app is built with ``docs_url`` and
    ``redoc_url`` set to None)."""
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return HTMLResponse(_SWAGGER.replace("{title}", app.title))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC.replace("{title}", app.title))


__all__ = ["ASSETS", "SWAGGER_ASSETS", "mount_docs"]
