"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work: the store answers,
its migrations are at head, and the active model, when one is set, is loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from screening.api.deps import ServicesDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(svc: ServicesDep) -> JSONResponse:
    """200 when the store answers, its schema is at the latest migration and the active model
    (if one is set) is loaded; 503 with each check's result otherwise."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from screening.store.engine import alembic_config

    checks: dict[str, dict] = {}
    try:
        with svc.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        checks["store"] = {"ok": True}
        checks["migrations"] = {"ok": current == head, "current": current, "head": head}
    except Exception as exc:  # noqa: BLE001 - any failure of the store means not ready
        checks["store"] = {"ok": False, "problem": type(exc).__name__}
        checks["migrations"] = {"ok": False}
    status = svc.models.status()
    checks["model"] = {"ok": status.loaded or not status.name, "active": status.name,
                       "problem": status.problem}
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


__all__ = ["router"]
