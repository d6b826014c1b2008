"""The API's one error shape, ``{"error": {"status", "code", "message"}}``, and the exception
handlers that turn the library's errors into it (the only place they become HTTP)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from screening.errors import ScreeningError

STATUS_OF_KIND = {"unusable_file": 422, "not_found": 404, "conflict": 409, "forbidden": 403,
                  "too_large": 413, "content_mismatch": 415, "refused": 422}
"""HTTP status per :attr:`screening.errors.ScreeningError.kind`."""


def error(status: int, code: str, message: str) -> JSONResponse:
    """The one error shape: ``{"error": {"status", "code", "message"}}``."""
    return JSONResponse({"error": {"status": status, "code": code, "message": message}},
                        status_code=status)


class ApiError(HTTPException):
    """An expected failure decided by a route (auth, roles), rendered in the one error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status_code=status, detail=message)
        self.code = code


def library_error(exc: ScreeningError) -> JSONResponse:
    """A library error in the one shape, its status from its ``kind`` (the app sends API
    requests' :class:`~screening.errors.ScreeningError` here, pages' to the web's handler)."""
    return error(STATUS_OF_KIND.get(exc.kind, 422), exc.kind, str(exc))


def install(app: FastAPI) -> None:
    """Register the API's own exception handlers on ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status_code, exc.code, str(exc.detail))

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        return error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")


__all__ = ["STATUS_OF_KIND", "ApiError", "error", "install", "library_error"]
