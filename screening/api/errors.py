"""The API's one error shape, ``{"error": {"status", "code", "message"}}``, and the exception
handlers that turn the library's errors into it (the only place they become HTTP)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from screening.errors import ScreeningError, http_status


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
    return error(http_status(exc), exc.kind, str(exc))


def http_error(exc: StarletteHTTPException) -> JSONResponse:
    """An HTTP error of the framework (unknown path, wrong method, unparsable body) in the one
    shape."""
    return error(exc.status_code, getattr(exc, "code", "http_error"), str(exc.detail))


def invalid_request(exc: RequestValidationError) -> JSONResponse:
    """A request whose parameters or body do not fit the route, in the one shape (422)."""
    return error(422, "invalid_request", validation_message(exc))


def validation_message(exc: RequestValidationError) -> str:
    """The first problem of a request validation error as one line (where: what)."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", []))
    return f"{where}: {first.get('msg', 'invalid')}"


def internal_error() -> JSONResponse:
    """An unexpected failure, in the one shape: no traceback, no detail (it is logged)."""
    return error(500, "internal_error", "The server could not answer this request; the error "
                                        "was logged.")


def install(app: FastAPI) -> None:
    """Register the API's own exception handlers on ``app`` (for an app of the API alone;
    :func:`screening.app.create_app` sends each failure to the API's shape or a page)."""

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(exc)


__all__ = ["ApiError", "error", "http_error", "install", "internal_error",
           "invalid_request", "library_error", "validation_message"]
