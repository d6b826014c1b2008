"""Site history: what earlier visits to the same site showed, and what their follow-ups found.

Only the past is used: a visit sees earlier visits (by date) to its site and outcomes that were
decided before its own date, so training never looks into the future.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: History features, in order, with their meaning (for the model card).
HISTORY_FEATURES: dict[str, str] = {
    "prior_visits": "earlier visits to the same site in the data",
    "prior_max_rule_score": "highest rule score at an earlier visit to the site",
    "prior_urgent_or_high": "an earlier visit to the site was urgent or high (1/0)",
    "prior_forced_labour": "a follow-up decided before this visit found forced labour at the site",
    "prior_labour_violation": "a follow-up decided before this visit found a labour violation",
}


def site_history(visits: pd.DataFrame, rule_score: np.ndarray, tier_rank: np.ndarray,
                 outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """History features per visit (aligned with ``visits``), from earlier visits only.

    Parameters
    ----------
    visits : DataFrame
        With ``visit_id``, ``site_id`` and ``visit_date``.
    rule_score, tier_rank : ndarray
        The engine's rule score and tier rank (0 low .. 3 urgent) per visit.
    outcomes : DataFrame, optional
        ``visit_id``, ``outcome`` and ``decided_on``; outcomes of earlier visits count only
        if decided before the visit's date. Without outcomes the outcome columns are unknown.

    Examples
    --------
    >>> v = pd.DataFrame({"visit_id": ["a", "b", "c"], "site_id": ["S", "S", "T"],
    ...                   "visit_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-02-01"])})
    >>> o = pd.DataFrame({"visit_id": ["a"], "outcome": ["forced_labour"],
    ...                   "decided_on": pd.to_datetime(["2024-03-01"])})
    >>> h = site_history(v, np.array([9.0, 1.0, 2.0]), np.array([2, 0, 0]), o)
    >>> h[["prior_visits", "prior_max_rule_score", "prior_forced_labour"]].values.tolist()
    [[0.0, nan, 0.0], [1.0, 9.0, 1.0], [0.0, nan, 0.0]]
    """
    n = len(visits)
    site = pd.factorize(visits["site_id"])[0]
    date = _nanos(visits["visit_date"])
    order = np.lexsort((np.arange(n), date, site))  # by site, then date, then upload order
    site_sorted = site[order]
    start = np.append(True, site_sorted[1:] != site_sorted[:-1]) if n else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    prior_visits = (np.arange(n) - group_start).astype("float64")
    # running maximum within each site: lift each site above the previous ones, then undo
    score = np.asarray(rule_score, dtype="float64")[order]
    alarm = (np.asarray(tier_rank)[order] >= 2).astype("float64")
    lift = site_sorted * (max(float(score.max(initial=0)), 1.0) + 1.0)
    running_max = np.maximum.accumulate(score + lift) - lift
    running_alarm = np.maximum.accumulate(alarm + 2.0 * site_sorted) - 2.0 * site_sorted
    first = prior_visits == 0
    out = pd.DataFrame(index=range(n))
    for name, values in (("prior_visits", prior_visits),
                         ("prior_max_rule_score", np.where(first, np.nan, np.roll(running_max, 1))),
                         ("prior_urgent_or_high", np.where(first, 0.0, np.roll(running_alarm, 1)))):
        column = np.empty(n)
        column[order] = values
        out[name] = column
    fl, lv = _prior_outcomes(visits, outcomes)
    out["prior_forced_labour"] = fl
    out["prior_labour_violation"] = lv
    out.index = visits.index
    return out


def _prior_outcomes(visits: pd.DataFrame, outcomes: pd.DataFrame | None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per visit: was forced labour / a labour violation found at its site before its date?"""
    n = len(visits)
    if outcomes is None or len(outcomes) == 0:
        return np.full(n, np.nan), np.full(n, np.nan)
    sites = visits[["visit_id", "site_id"]]
    found = outcomes.merge(sites, on="visit_id", how="inner")[["site_id", "outcome", "decided_on"]]
    result = []
    for label in ("forced_labour", "labour_violation"):
        first_found = found[found["outcome"] == label].groupby("site_id")["decided_on"].min()
        # compare as nanoseconds: a site never found has no date and compares false
        nanos = pd.Series(_nanos(first_found),
                          index=first_found.index.astype(object))
        when = visits["site_id"].astype(object).map(nanos).to_numpy(dtype="float64")
        visit = _nanos(visits["visit_date"])
        result.append((when < visit).astype("float64"))
    return result[0], result[1]


def _nanos(dates: pd.Series) -> np.ndarray:
    """Dates as float nanoseconds since the epoch, whatever unit they were stored in."""
    values = pd.to_datetime(dates).astype("datetime64[ns]").astype("int64")
    return values.to_numpy(dtype="float64")


__all__ = ["HISTORY_FEATURES", "site_history"]

