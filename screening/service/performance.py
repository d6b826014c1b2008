"""Live performance of the list as served, from the outcomes reviewers decided.

Tables (plain records, ready for JSON, a page or a notebook): label counts by month, sector and
region; hit rates by tier and by risk-score band; the exploration slots' rate (the estimate for
unflagged visits) with its interval; precision and inverse-probability recall at capacity; and
calibration of the risk score on decided visits. See :mod:`screening.model.monitoring`.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from screening.model.evaluation import calibration_table
from screening.model.monitoring import (
    at_capacity,
    exploration_estimate,
    hit_rates,
    label_counts,
    risk_band,
)
from screening.store.performance import decided_visits


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _clean(value: Any) -> Any:
    """NaN as None, so the result is valid JSON."""
    if isinstance(value, float) and value != value:
        return None
    return value


def live_performance(engine: Engine, model_version: str | None = None) -> dict[str, Any]:
    """How the list does on decided reviews.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    model_version : str, optional
        Keep the visits screened by this model version (the active one, say); all by default.

    Returns
    -------
    dict
        ``decided`` (count), ``labels`` (``by_month``, ``by_sector``, ``by_region``),
        ``by_tier``, ``by_risk_band``, ``exploration``, ``at_capacity`` and ``calibration``
        (decided visits with a risk score).
    """
    decided = decided_visits(engine)
    if model_version is not None:
        decided = decided[decided["model_version"] == model_version]
    decided = decided.assign(month=decided["visit_date"].dt.strftime("%Y-%m"),
                             risk_band=risk_band(decided["risk_score"]))
    scored = decided[decided["risk_score"].notna()]
    calibration = (calibration_table((scored["outcome"] == "forced_labour").to_numpy(),
                                     scored["risk_score"].to_numpy())
                   if len(scored) else pd.DataFrame())
    return {
        "decided": len(decided),
        "model_version": model_version,
        "labels": {f"by_{by}": _records(label_counts(decided, by)) if len(decided) else []
                   for by in ("month", "sector", "region")},
        "by_tier": _records(hit_rates(decided, "tier")) if len(decided) else [],
        "by_risk_band": _records(hit_rates(decided, "risk_band")) if len(decided) else [],
        "exploration": {k: _clean(v) for k, v in exploration_estimate(decided).items()},
        "at_capacity": {k: _clean(v) for k, v in at_capacity(decided).items()},
        "calibration": _records(calibration),
    }


__all__ = ["live_performance"]
