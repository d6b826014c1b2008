"""Honest evaluation at inspection capacity: precision@k with ties, lift, calibration, groups.

An inspectorate can follow up only ``k`` visits, so what matters is how many of the ``k``
visits a list puts first really are forced labour (precision@k), how many of all forced-labour
visits those ``k`` catch (recall@k), and how that compares with picking at random (lift).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss

from screening.priority import capacity_k


def expected_hits_at_k(y_true: np.ndarray, score: np.ndarray, k: int) -> float:
    """Expected true positives among the top ``k`` by ``score``, ties broken at random.

    Visits scoring above the ``k``-th score are all taken; of the visits tied with it, the
    remaining slots go to a random subset, which catches their positives in proportion.

    >>> y = np.array([1, 0, 1, 0, 0])
    >>> expected_hits_at_k(y, np.array([0.9, 0.5, 0.5, 0.5, 0.1]), 2)  # 1 + 1 slot of 3 tied
    1.3333333333333333
    """
    y = np.asarray(y_true, dtype="float64")
    s = np.asarray(score, dtype="float64")
    if k <= 0 or len(y) == 0:
        return 0.0
    k = min(k, len(y))
    kth = np.sort(s)[::-1][k - 1]
    above = s > kth
    tied = s == kth
    slots = k - int(above.sum())
    return float(y[above].sum() + slots * y[tied].mean())


def precision_at_k(y_true: np.ndarray, score: np.ndarray, k: int) -> float:
    """Share of forced-labour visits among the top ``k`` (expected value under ties).

    >>> precision_at_k(np.array([1, 0, 0, 1]), np.array([4, 3, 2, 1]), 2)
    0.5
    """
    return expected_hits_at_k(y_true, score, k) / min(k, len(y_true)) if k else 0.0


def recall_at_k(y_true: np.ndarray, score: np.ndarray, k: int) -> float:
    """Share of all forced-labour visits caught in the top ``k`` (expected value under ties).

    >>> recall_at_k(np.array([1, 0, 0, 1]), np.array([4, 3, 2, 1]), 2)
    0.5
    """
    positives = float(np.asarray(y_true).sum())
    return expected_hits_at_k(y_true, score, k) / positives if positives else float("nan")


def ordering_score(*keys: np.ndarray) -> np.ndarray:
    """One score whose order is the lexicographic order of ``keys`` (most important first),
    with equal key tuples tied.

    >>> ordering_score(np.array([1, 2, 2, 1]), np.array([0.5, 0.1, 0.1, 0.9])).tolist()
    [0.0, 2.0, 2.0, 1.0]
    """
    columns = [np.nan_to_num(np.asarray(k, dtype="float64"), nan=-np.inf) for k in keys]
    if not columns or len(columns[0]) == 0:
        return np.zeros(0)
    order = np.lexsort(columns[::-1])  # np.lexsort sorts by its last key first
    changed = np.zeros(len(order), dtype=bool)
    for column in columns:
        ranked = column[order]
        changed[1:] |= ranked[1:] != ranked[:-1]
    out = np.empty(len(order))
    out[order] = np.cumsum(changed)
    return out


def at_capacity(y_true: np.ndarray, orderings: dict[str, np.ndarray], capacity: float
                ) -> pd.DataFrame:
    """precision@k, recall@k and lift over random for each ordering, side by side.

    ``orderings`` maps a name to a score (higher = followed up first); a ``random`` row with
    its expected values is added first.
    """
    y = np.asarray(y_true, dtype="float64")
    n, k = len(y), capacity_k(len(y), capacity)
    prevalence = y.mean() if n else float("nan")
    rows = [{"ordering": "random", "k": k, "precision@k": prevalence,
             "recall@k": k / n if n else float("nan"), "lift": 1.0}]
    for name, score in orderings.items():
        precision = precision_at_k(y, score, k)
        rows.append({"ordering": name, "k": k, "precision@k": precision,
                     "recall@k": recall_at_k(y, score, k),
                     "lift": precision / prevalence if prevalence else float("nan")})
    return pd.DataFrame(rows)


def recall_by_group(y_true: np.ndarray, score: np.ndarray, groups: pd.Series, capacity: float
                    ) -> pd.DataFrame:
    """recall@k within each group when the top ``k`` is chosen over all visits at once.

    Like fairlearn's ``MetricFrame``: one row per group plus ``overall``; ``gap`` is the
    largest difference from the overall recall.
    """
    y = np.asarray(y_true, dtype="float64")
    k = capacity_k(len(y), capacity)
    taken = _expected_selection(score, k)
    groups = pd.Series(np.asarray(groups, dtype=object), name="group")
    frame = pd.DataFrame({"group": groups, "y": y, "hit": y * taken, "n": 1})
    by = frame.groupby("group").agg(visits=("n", "sum"), positives=("y", "sum"),
                                    caught=("hit", "sum"))
    overall = pd.DataFrame({"visits": [len(y)], "positives": [y.sum()],
                            "caught": [(y * taken).sum()]}, index=["overall"])
    out = pd.concat([overall, by])
    out["recall@k"] = np.where(out["positives"] > 0, out["caught"] / out["positives"].where(
        out["positives"] > 0, 1), np.nan)
    out["gap"] = out["recall@k"] - out.loc["overall", "recall@k"]
    return out


def _expected_selection(score: np.ndarray, k: int) -> np.ndarray:
    """Probability of each visit being among the top ``k`` (ties share the last slots)."""
    s = np.asarray(score, dtype="float64")
    if k <= 0 or len(s) == 0:
        return np.zeros(len(s))
    kth = np.sort(s)[::-1][min(k, len(s)) - 1]
    above, tied = s > kth, s == kth
    out = above.astype("float64")
    out[tied] = (min(k, len(s)) - above.sum()) / tied.sum()
    return out


def calibration_table(y_true: np.ndarray, probability: np.ndarray, bins: int = 10
                      ) -> pd.DataFrame:
    """Mean predicted probability against the observed rate, in ``bins`` equal-width bins of
    predicted probability (empty bins left out), as scikit-learn's ``calibration_curve``.

    >>> calibration_table(np.array([0, 1, 1, 0]), np.array([0.05, 0.95, 0.9, 0.1]))[
    ...     ["bin", "visits", "observed"]].values.tolist()
    [['0.0-0.1', 1, 0.0], ['0.1-0.2', 1, 0.0], ['0.9-1.0', 2, 1.0]]
    """
    p = np.clip(np.asarray(probability, dtype="float64"), 0, 1)
    index = np.minimum((p * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"index": index, "p": p, "y": np.asarray(y_true, dtype="float64")})
    table = frame.groupby("index").agg(visits=("y", "size"), mean_predicted=("p", "mean"),
                                       observed=("y", "mean")).reset_index()
    edges = table["index"] / bins
    table.insert(0, "bin", [f"{lo:.1f}-{lo + 1 / bins:.1f}" for lo in edges])
    return table.drop(columns="index")


def probability_metrics(y_true: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """PR AUC and Brier score, with the Brier score of always predicting the prevalence."""
    y = np.asarray(y_true, dtype="float64")
    prevalence = float(y.mean())
    return {
        "pr_auc": float(average_precision_score(y, probability)) if y.any() else float("nan"),
        "pr_auc_random": prevalence,
        "brier": float(brier_score_loss(y, probability)),
        "brier_prevalence_baseline": prevalence * (1 - prevalence),
        "prevalence": prevalence,
    }


__all__ = ["at_capacity", "calibration_table", "capacity_k", "expected_hits_at_k",
           "ordering_score", "precision_at_k", "probability_metrics", "recall_at_k",
           "recall_by_group"]
