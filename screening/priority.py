"""Decisions on top of the rules: ranking the follow-up list (escalation and exploration come
with the trained model)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import TIER_ORDER

#: Columns of the follow-up list, in order (the contract in DESIGN.md).
FOLLOW_UP_COLUMNS: tuple[str, ...] = (
    "rank",
    "visit_id",
    "site_id",
    "region",
    "sector",
    "visit_date",
    "tier",
    "risk_score",
    "rule_score",
    "icls_workers",
    "indicators",
    "reasons",
    "exploration",
)


def order(
    tier: np.ndarray, risk_score: np.ndarray, rule_score: np.ndarray, visit_id: np.ndarray
) -> np.ndarray:
    """Positions in follow-up order: tier, then risk score, then rule score (then visit id).

    Unknown risk scores sort after known ones within a tier.

    >>> order(np.array(["low", "urgent", "low"], dtype=object), np.array([np.nan] * 3),
    ...       np.array([5.0, 1.0, 7.0]), np.array(["a", "b", "c"], dtype=object)).tolist()
    [1, 2, 0]
    """
    rank = {t: i for i, t in enumerate(TIER_ORDER)}
    tier_rank = pd.Series(tier).map(rank).to_numpy(dtype="float64")
    risk = np.where(np.isnan(risk_score), -1.0, risk_score)
    ids = pd.Categorical(visit_id).codes  # ascending id as the last tie-breaker
    return np.lexsort((ids, -rule_score, -risk, -tier_rank))


def follow_up_list(
    visits: pd.DataFrame,
    *,
    tier: np.ndarray,
    rule_score: np.ndarray,
    icls_workers: np.ndarray,
    indicators: np.ndarray,
    reasons: np.ndarray,
    risk_score: np.ndarray | None = None,
    exploration: np.ndarray | None = None,
) -> pd.DataFrame:
    """Assemble the ranked follow-up list (columns :data:`FOLLOW_UP_COLUMNS`).

    ``risk_score`` is empty (NaN) until a trained model is used; ``exploration`` is false
    unless the visit was drawn at random for an exploration slot.
    """
    n = len(visits)
    risk = np.full(n, np.nan) if risk_score is None else np.asarray(risk_score, dtype="float64")
    explore = np.zeros(n, dtype=bool) if exploration is None else np.asarray(exploration, bool)
    idx = order(tier, risk, rule_score, visits["visit_id"].to_numpy())
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, n + 1, dtype=np.int64),
            "visit_id": visits["visit_id"].to_numpy()[idx],
            "site_id": visits["site_id"].to_numpy()[idx],
            "region": visits["region"].to_numpy()[idx],
            "sector": visits["sector"].to_numpy()[idx],
            "visit_date": visits["visit_date"].to_numpy()[idx],
            "tier": np.asarray(tier, dtype=object)[idx],
            "risk_score": risk[idx],
            "rule_score": rule_score[idx],
            "icls_workers": pd.array(icls_workers[idx], dtype="Int64"),
            "indicators": indicators[idx],
            "reasons": reasons[idx],
            "exploration": explore[idx],
        }
    )
    return frame


__all__ = ["FOLLOW_UP_COLUMNS", "follow_up_list", "order"]
