"""The HTTP API (``/api/v1``): an app factory, token auth with roles, one JSON error shape."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from indicators import Catalogue, load_catalogue
from screening.store import accounts
from screening.store.engine import StoreSettings, create_engine_for, migrate, transaction
from screening.store.tables import User

ROLES = ("inspector", "monitor", "analyst", "admin")


@dataclass(frozen=True)
class ServiceSettings:
    """The service's settings, declared once as data: each field names its environment
    variable and its help (the README lists them, and a test checks that it does)."""

    store: StoreSettings = field(default_factory=StoreSettings.from_env, metadata={
        "env": "SCREENING_DATABASE_URL / SCREENING_DATA_DIR",
        "help": "Where the store is (see the store settings)."})
    max_upload_mb: float = field(default=50.0, metadata={
        "env": "SCREENING_MAX_UPLOAD_MB",
        "help": "Largest upload accepted, in megabytes; larger ones get 413."})
    active_model: str = field(default="default", metadata={
        "env": "SCREENING_ACTIVE_MODEL",
        "help": "Model version used to screen new uploads (empty: rules only)."})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServiceSettings:
        """Read the settings from the environment (unset ones take their defaults)."""
        import os

        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {"store": StoreSettings.from_env(environ)}
        for f in fields(cls):
            if f.name == "store":
                continue
            raw = environ.get(f.metadata["env"])
            if raw is not None:
                values[f.name] = type(f.default)(raw) if raw != "" else type(f.default)()
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class Services:
    """What the routes need, created once per app (dependency injection for tests)."""

    settings: ServiceSettings
    engine: Engine
    catalogue: Catalogue
    model_cache: dict = field(default_factory=dict)
    signed_in: dict = field(default_factory=dict)  # token hash -> when its sign-in was audited


def error(status: int, code: str, message: str) -> JSONResponse:
    """The one error shape: ``{"error": {"status", "code", "message"}}``."""
    return JSONResponse({"error": {"status": status, "code": code, "message": message}},
                        status_code=status)


class ApiError(HTTPException):
    """An expected failure, rendered in the one error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status_code=status, detail=message)
        self.code = code


def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency)."""
    return request.app.state.services


def current_user(request: Request, svc: Services = Depends(services)) -> User:  # noqa: B008
    """The user of the request's bearer token; 401 without a valid one (and audited)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "Send an API token: 'Authorization: Bearer "
                                               "<token>'.")
    user = accounts.authenticate(svc.engine, token.strip())
    if user is None:
        raise ApiError(401, "unauthenticated", "The API token is unknown or revoked.")
    _audit_sign_in(svc, user, accounts.hash_token(token.strip()))
    return user


SIGN_IN_EVERY = dt.timedelta(hours=1)


def _audit_sign_in(svc: Services, user: User, token_hash: str) -> None:
    """A token's use is its sign-in: audited on first use and then at most once an hour."""
    now = dt.datetime.now(dt.UTC)
    last = svc.signed_in.get(token_hash)
    if last is not None and now - last < SIGN_IN_EVERY:
        return
    svc.signed_in[token_hash] = now
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "sign_in", "user", user.id)


def require(*roles: str) -> Callable[..., User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    def check(user: User = Depends(current_user)) -> User:  # noqa: B008
        if user.role not in roles:
            raise ApiError(403, "forbidden", f"This needs the role {' or '.join(roles)}; "
                                             f"you are {user.role}.")
        return user

    return check


def create_app(settings: ServiceSettings | None = None, *, engine: Engine | None = None
               ) -> FastAPI:
    """Build the service: migrate the store, load the catalogue, mount the routes.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> app = create_app(ServiceSettings(store=StoreSettings(data_dir=folder)))
    >>> "/api/v1/indicators" in app.openapi()["paths"]
    True
    """
    from screening.api import routes

    settings = settings or ServiceSettings.from_env()
    if engine is None:
        Path(settings.store.data_dir).mkdir(parents=True, exist_ok=True)
        engine = create_engine_for(settings.store)
    migrate(engine)
    app = FastAPI(title="Forced-labour risk screening", version="1",
                  description="Uploads with receipts, the ranked follow-up list, reviews, "
                              "indicators and models. Every call needs a bearer token.")
    app.state.services = Services(settings, engine, load_catalogue())

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

    app.include_router(routes.router, prefix="/api/v1")
    from screening.web import mount  # the web pages, including the landing page at /

    mount(app)
    return app


def temporary_settings() -> ServiceSettings:
    """Settings with a fresh SQLite store in a temporary folder (tests, demos)."""
    return ServiceSettings(store=StoreSettings(data_dir=Path(tempfile.mkdtemp())))


__all__ = ["ROLES", "ApiError", "ServiceSettings", "Services", "create_app", "current_user",
           "error", "require", "services", "temporary_settings"]
