"""Routes of ``/api/v1`` for the analyst: live performance of the list on decided reviews."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends

from screening.api.deps import ServicesDep, require
from screening.service.performance import live_performance
from screening.store.tables import User

router = APIRouter()
Analysts = Annotated[User, Depends(require("analyst", "monitor", "admin"))]


@router.get("/performance")
def performance(svc: ServicesDep, user: Analysts,
                model: Literal["active", "all"] = "active") -> dict:
    """How the list does on decided reviews: label counts by month, sector and region; hit
    rates by tier and risk band; the exploration slots' rate with its interval; precision and
    inverse-probability recall at capacity; calibration. ``model=active`` keeps the visits the
    active model screened, ``all`` every decided visit."""
    version = svc.models.chosen() or None if model == "active" else None
    return live_performance(svc.engine, model_version=version)


__all__ = ["router"]
