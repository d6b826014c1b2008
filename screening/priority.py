"""Decisions on top of the rules: ranking the follow-up list (escalation and exploration come
with the trained model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from indicators import TIER_ORDER

#: Columns of the follow-up list, in order (the contract in DESIGN.md).
FOLLOW_UP_COLUMNS: tuple[str, ...] = (
    "rank", "visit_id", "site_id", "region", "sector", "visit_date", "tier", "risk_score",
    "rule_score", "icls_workers", "indicators", "reasons", "exploration",
)  # fmt: skip


def tier_rank(tier: object) -> np.ndarray:
    """0 for low up to 3 for urgent (-1 for anything else).

    >>> tier_rank(["urgent", "low", "medium"]).tolist()
    [3, 0, 1]
    """
    if isinstance(tier, pd.Categorical) and list(tier.categories) == list(TIER_ORDER):
        return np.asarray(tier.codes)  # already coded: no strings to look at
    return np.asarray(pd.Categorical(tier, categories=TIER_ORDER).codes)


def as_text(codes: np.ndarray, categories: object) -> pd.api.extensions.ExtensionArray:
    """Codes into categories as a pandas ``str`` array, spelled out by pyarrow.

    >>> as_text(np.array([1, 0, 1]), ["low", "high"]).tolist()
    ['high', 'low', 'high']
    """
    names = pa.array(np.asarray(categories, dtype=object), type=pa.large_string())
    spelled = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), names)
    return pd.array(spelled.cast(pa.large_string()), dtype="str")


def order(tier: object, risk_score: np.ndarray, rule_score: np.ndarray) -> np.ndarray:
    """Positions in follow-up order: tier, then risk score, then rule score.

    Unknown risk scores sort after known ones within a tier; remaining ties keep the input
    order (the sort is stable), so the same upload always gives the same list.

    >>> order(["low", "urgent", "low"], np.array([np.nan] * 3), np.array([5.0, 1.0, 7.0]))
    array([1, 2, 0])
    """
    risk = np.where(np.isnan(risk_score), -1.0, risk_score)
    return np.lexsort((-rule_score, -risk, -tier_rank(tier)))


def follow_up_list(
    visits: pd.DataFrame,
    *,
    tier: object,
    rule_score: np.ndarray,
    icls_workers: np.ndarray,
    indicators: object,
    reasons: object,
    risk_score: np.ndarray | None = None,
    exploration: np.ndarray | None = None,
) -> pd.DataFrame:
    """Assemble the ranked follow-up list (columns :data:`FOLLOW_UP_COLUMNS`).

    ``risk_score`` is empty (NaN) until a trained model is used; ``exploration`` is false
    unless the visit was drawn at random for an exploration slot. Text columns are taken
    row-wise from their arrays without converting them (pyarrow strings stay pyarrow).
    """
    n = len(visits)
    risk = np.full(n, np.nan) if risk_score is None else np.asarray(risk_score, dtype="float64")
    explore = np.zeros(n, dtype=bool) if exploration is None else np.asarray(exploration, bool)
    idx = order(tier, risk, rule_score)

    def take(values: object) -> object:
        if isinstance(values, pa.DictionaryArray):  # reorder the codes, then spell out
            spelled = values.take(pa.array(idx)).cast(pa.large_string())
            return pd.array(spelled, dtype="str")
        array = values.array if isinstance(values, pd.Series) else pd.array(values)
        return array.take(idx)

    return pd.DataFrame({
        "rank": np.arange(1, n + 1, dtype=np.int64),
        **{name: take(visits[name])
           for name in ("visit_id", "site_id", "region", "sector", "visit_date")},
        "tier": as_text(tier_rank(tier)[idx], TIER_ORDER),
        "risk_score": risk[idx],
        "rule_score": rule_score[idx],
        "icls_workers": pd.array(icls_workers[idx], dtype="Int64"),
        "indicators": take(indicators),
        "reasons": take(reasons),
        "exploration": explore[idx],
    })  # fmt: skip


__all__ = ["FOLLOW_UP_COLUMNS", "follow_up_list", "order", "tier_rank"]
