"""Routes of ``/api/v1`` for the analyst: live performance on decided reviews, and drift."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

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


class PromotionIn(BaseModel):
    """A promotion: the version ('' for the rules alone), and a reason when forced."""

    version: str
    force: bool = False
    reason: str | None = None


@router.get("/models/compare")
def compare_models(svc: ServicesDep, user: Annotated[User, Depends(require("analyst", "admin"))],
                   candidate: str, capacity: Annotated[float, Query(gt=0, le=1)] = 0.05
                   ) -> dict:
    """A candidate model against the active one on the most recent decided visits neither has
    seen: recall and precision at capacity, Brier score, PR AUC, and what it is worse on."""
    from screening.service.promotion import compare

    return compare(svc, candidate, capacity=capacity).as_dict()


@router.post("/models/active")
def promote_model(body: PromotionIn, svc: ServicesDep,
                  user: Annotated[User, Depends(require("admin"))]) -> dict:
    """Promote a model version (admin; audited): refused (409) when it is worse than the
    active model on recall at capacity or calibration, unless forced with a reason."""
    from screening.service.promotion import promote

    comparison = promote(svc, body.version, user, force=body.force, reason=body.reason)
    return {"active": svc.models.chosen(),
            "comparison": comparison.as_dict() if comparison else None}


__all__ = ["router"]
