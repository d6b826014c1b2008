"""How the list does on the outcomes reviewers record, and whether the visits still look like the
training data.

Live performance comes from *decided* reviews of visits as the list served them (each with its
tier, risk score, ``selected``, ``exploration`` and ``selection_probability``):

- hit rates (forced labour, labour violation, nothing) by tier and by risk-score band, each with
  a Wilson confidence interval;
- the exploration slots' forced-labour rate: the estimate for the visits the list left
  unflagged (they were drawn at random from them);
- precision and recall at capacity, recall weighted by the inverse of each decided visit's
  selection probability (a Horvitz-Thompson estimate of all forced-labour visits);
- label counts by month, sector and region.

Drift is measured with the **population stability index** (PSI) of each column against the
training data's distribution: ``sum((a - e) * ln(a / e))`` over bins fixed on the training data
(deciles for numbers, each value for true/false columns), with unknown values as a bin of their
own, so a column that stops being filled in drifts too. Common reading: below 0.1 stable, 0.1 to
0.25 a shift worth a look, above 0.25 a real shift.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

OUTCOME_NAMES = ("forced_labour", "labour_violation", "no_violation")
RISK_BANDS = (0.0, 0.05, 0.2, 0.5, 1.0)
"""Edges of the risk-score bands (the last band includes 1)."""
_EPSILON = 1e-4  # a bin that is empty on one side still counts, without dividing by zero


def wilson_interval(hits: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default); (nan, nan) without trials.

    >>> [round(x, 3) for x in wilson_interval(2, 10)]
    [0.057, 0.51]
    >>> wilson_interval(0, 0)
    (nan, nan)
    """
    if n <= 0:
        return float("nan"), float("nan")
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def risk_band(risk: pd.Series) -> pd.Series:
    """The risk-score band of each visit ("0.00-0.05", ...), "no model" where unknown.

    >>> risk_band(pd.Series([0.01, 0.3, 1.0, None])).tolist()
    ['0.00-0.05', '0.20-0.50', '0.50-1.00', 'no model']
    """
    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(RISK_BANDS[:-1], RISK_BANDS[1:],
                                                      strict=True)]
    bands = pd.cut(pd.to_numeric(risk, errors="coerce"), list(RISK_BANDS), labels=labels,
                   include_lowest=True, right=False)
    bands = bands.cat.add_categories(["no model"])
    top = pd.to_numeric(risk, errors="coerce") == 1.0
    bands[top] = labels[-1]
    return bands.fillna("no model").astype(str)


def hit_rates(decided: pd.DataFrame, by: str) -> pd.DataFrame:
    """Outcomes of decided visits per group of ``by`` (a column, e.g. ``tier``).

    Parameters
    ----------
    decided : DataFrame
        One row per decided visit with ``outcome`` and the column ``by``.

    Returns
    -------
    DataFrame
        ``group, decided`` and per outcome its count and rate, then the forced-labour rate's
        Wilson interval (``forced_labour_low``, ``forced_labour_high``).

    Examples
    --------
    >>> d = pd.DataFrame({"tier": ["high", "high", "high", "low"],
    ...                   "outcome": ["forced_labour", "no_violation", "forced_labour",
    ...                               "labour_violation"]})
    >>> t = hit_rates(d, "tier")
    >>> t[["group", "decided", "forced_labour", "forced_labour_rate"]].values.tolist()
    [['high', 3, 2, 0.6666666666666666], ['low', 1, 0, 0.0]]
    """
    rows = []
    for group, part in decided.groupby(by, sort=True, observed=True):
        row: dict[str, object] = {"group": group, "decided": len(part)}
        for outcome in OUTCOME_NAMES:
            count = int((part["outcome"] == outcome).sum())
            row[outcome] = count
            row[f"{outcome}_rate"] = count / len(part)
        low, high = wilson_interval(row["forced_labour"], len(part))  # type: ignore[arg-type]
        row["forced_labour_low"], row["forced_labour_high"] = low, high
        rows.append(row)
    return pd.DataFrame(rows)


def exploration_estimate(decided: pd.DataFrame) -> dict[str, float]:
    """The exploration slots' forced-labour rate with its interval: the estimate for visits the
    list left unflagged.

    >>> d = pd.DataFrame({"exploration": [True, True, True, True, False],
    ...                   "outcome": ["forced_labour"] + ["no_violation"] * 4})
    >>> e = exploration_estimate(d)
    >>> e["slots"], e["forced_labour"], e["rate"]
    (4, 1, 0.25)
    """
    slots = decided[decided["exploration"].fillna(False).astype(bool)]
    hits = int((slots["outcome"] == "forced_labour").sum())
    low, high = wilson_interval(hits, len(slots))
    return {"slots": len(slots), "forced_labour": hits,
            "rate": hits / len(slots) if len(slots) else float("nan"), "low": low, "high": high}


def at_capacity(decided: pd.DataFrame) -> dict[str, float]:
    """Precision and recall at capacity of the list as served, from decided visits.

    The top of the list (``selected`` and not an exploration slot) gives precision: the share
    of its decided visits that were forced labour. Recall divides the forced labour found there
    by an estimate of all forced-labour visits: each decided visit counts ``1 / p`` times, ``p``
    its ``selection_probability`` (1 at the top; the exploration slots stand for the visits
    below it).

    Examples
    --------
    >>> d = pd.DataFrame({
    ...     "selected": [True, True, True, True], "exploration": [False, False, True, True],
    ...     "selection_probability": [1.0, 1.0, 0.1, 0.1],
    ...     "outcome": ["forced_labour", "no_violation", "forced_labour", "no_violation"]})
    >>> r = at_capacity(d)
    >>> r["precision"], r["estimated_forced_labour"], round(r["recall"], 3)
    (0.5, 11.0, 0.091)
    """
    selected = decided["selected"].fillna(False).astype(bool)
    exploration = decided["exploration"].fillna(False).astype(bool)
    y = (decided["outcome"] == "forced_labour").to_numpy(dtype=float)
    p = pd.to_numeric(decided["selection_probability"], errors="coerce").to_numpy(dtype=float)
    top = (selected & ~exploration).to_numpy()
    counted = selected.to_numpy() & (p > 0)
    estimated = float((y[counted] / p[counted]).sum())
    found = float(y[top].sum())
    return {"top_decided": int(top.sum()),
            "precision": found / int(top.sum()) if top.any() else float("nan"),
            "forced_labour_found": found, "estimated_forced_labour": estimated,
            "recall": found / estimated if estimated > 0 else float("nan")}


def label_counts(decided: pd.DataFrame, by: str) -> pd.DataFrame:
    """Decided outcomes per ``by`` (``month``, ``sector`` or ``region``): one column per outcome.

    >>> d = pd.DataFrame({"sector": ["a", "a", "b"],
    ...                   "outcome": ["forced_labour", "no_violation", "no_violation"]})
    >>> label_counts(d, "sector").values.tolist()
    [['a', 1, 0, 1, 2], ['b', 0, 0, 1, 1]]
    """
    table = pd.crosstab(decided[by], decided["outcome"]).reindex(columns=list(OUTCOME_NAMES),
                                                                  fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.reset_index().rename_axis(columns=None)


def reference_bins(values: pd.Series, bins: int = 10) -> dict[str, object]:
    """Bins of a training column for the PSI: decile edges of a number, or its values when it
    has few (true/false, counts), with the training share of each bin and of unknowns.

    >>> ref = reference_bins(pd.Series([0.0, 1.0, 1.0, None]))
    >>> ref["kind"], ref["values"], ref["shares"], ref["unknown"]
    ('values', [0.0, 1.0], [0.25, 0.5], 0.25)
    """
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    known = numbers[~np.isnan(numbers)]
    unknown = float(np.isnan(numbers).mean()) if len(numbers) else 0.0
    distinct = np.unique(known)
    if len(distinct) <= bins:
        shares = [float((numbers == v).mean()) for v in distinct]
        return {"kind": "values", "values": distinct.tolist(), "shares": shares,
                "unknown": unknown}
    edges = np.unique(np.quantile(known, np.linspace(0, 1, bins + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, known, side="right"), minlength=len(edges) + 1)
    return {"kind": "edges", "edges": edges.tolist(),
            "shares": (counts / len(numbers)).tolist(), "unknown": unknown}


def _shares(reference: dict[str, object], values: pd.Series) -> tuple[np.ndarray, float]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if len(numbers) == 0:
        return np.zeros(len(reference["shares"])), 0.0  # type: ignore[arg-type]
    unknown = float(np.isnan(numbers).mean())
    if reference["kind"] == "values":
        known_values = np.asarray(reference["values"], dtype=float)
        shares = np.array([(numbers == v).mean() for v in known_values])
        # a value never seen in training counts in the nearest bin, so it still moves the PSI
        other = ~np.isnan(numbers) & ~np.isin(numbers, known_values)
        if other.any() and len(known_values):
            nearest = np.abs(numbers[other, None] - known_values[None, :]).argmin(axis=1)
            shares = shares + np.bincount(nearest, minlength=len(known_values)) / len(numbers)
        return shares, unknown
    edges = np.asarray(reference["edges"], dtype=float)
    known = numbers[~np.isnan(numbers)]
    counts = np.bincount(np.searchsorted(edges, known, side="right"), minlength=len(edges) + 1)
    return counts / len(numbers), unknown


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two distributions over the same bins.

    >>> round(psi(np.array([0.5, 0.5]), np.array([0.8, 0.2])), 4)
    0.4159
    """
    e = np.clip(np.asarray(expected, dtype=float), _EPSILON, None)
    a = np.clip(np.asarray(actual, dtype=float), _EPSILON, None)
    return float(((a - e) * np.log(a / e)).sum())


def column_psi(reference: dict[str, object], values: pd.Series) -> tuple[float, float]:
    """(PSI against the training bins, share of unknown values) of one column."""
    shares, unknown = _shares(reference, values)
    expected = np.append(np.asarray(reference["shares"], dtype=float), reference["unknown"])
    return psi(expected, np.append(shares, unknown)), unknown


def drift_table(references: dict[str, dict], frame: pd.DataFrame, months: pd.Series
                ) -> pd.DataFrame:
    """PSI and unknown share of every referenced column, per month of ``months``.

    Returns one row per (month, column): ``month, column, visits, psi, unknown_share,
    training_unknown_share``.
    """
    rows = []
    for month, index in frame.groupby(months.to_numpy(), sort=True).groups.items():
        part = frame.loc[index]
        for column, reference in references.items():
            if column not in part:
                continue
            value, unknown = column_psi(reference, part[column])
            rows.append({"month": month, "column": column, "visits": len(part), "psi": value,
                         "unknown_share": unknown,
                         "training_unknown_share": reference["unknown"]})
    return pd.DataFrame(rows, columns=["month", "column", "visits", "psi", "unknown_share",
                                       "training_unknown_share"])


__all__ = ["OUTCOME_NAMES", "RISK_BANDS", "at_capacity", "column_psi", "drift_table",
           "exploration_estimate", "hit_rates", "label_counts", "psi", "reference_bins",
           "risk_band", "wilson_interval"]
