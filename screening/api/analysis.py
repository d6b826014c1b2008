"""Routes of ``/api/v1`` for the analyst: live performance on decided reviews, and drift."""

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


@router.get("/drift")
def drift(svc: ServicesDep, user: Analysts) -> dict:
    """Drift of the stored visits against the active model's training data: per month the
    population stability index and unknown share of every model feature, and the warnings
    over the thresholds (``SCREENING_DRIFT_*``), naming the columns."""
    from screening.service.drift import drift_report

    return drift_report(svc)


__all__ = ["router"]
