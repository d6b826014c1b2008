"""precision@k and recall@k with ties at the cut-off, lift, groups, calibration."""

import numpy as np
import pandas as pd
import pytest

from screening.model.evaluation import (
    at_capacity,
    calibration_table,
    capacity_k,
    expected_hits_at_k,
    ordering_score,
    precision_at_k,
    recall_at_k,
    recall_by_group,
)


def brute_force_expected_precision(y, score, k):
    """Average precision over every way of breaking the ties at random (small inputs)."""
    from itertools import permutations

    results = []
    for perm in permutations(range(len(y))):
        order = sorted(perm, key=lambda i: -score[i])  # stable: ties in this permutation's order
        results.append(np.mean([y[i] for i in order[:k]]))
    return float(np.mean(results))


@pytest.mark.parametrize("y, score, k", [
    ([1, 0, 1, 0, 0], [0.9, 0.5, 0.5, 0.5, 0.1], 2),
    ([1, 1, 0, 0], [1, 1, 1, 1], 1),
    ([1, 1, 0, 0], [1, 1, 1, 1], 3),
    ([0, 1, 0, 1, 1], [3, 2, 2, 1, 1], 4),
    ([1, 0, 0, 0, 1, 0], [5, 4, 3, 2, 1, 0], 3),
], ids=["tie-straddles-cut", "all-tied-k1", "all-tied-k3", "two-tied-groups", "no-ties"])
def test_precision_at_k_with_ties_matches_brute_force(y, score, k):
    y, score = np.array(y), np.array(score, dtype=float)
    assert precision_at_k(y, score, k) == pytest.approx(brute_force_expected_precision(y, score, k))


def test_hand_computed_tie_case():
    # 0.9 is taken; 1 slot left among 3 tied at 0.5 holding 1 positive -> 1 + 1/3 hits
    y = np.array([1, 0, 1, 0, 0])
    score = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    assert expected_hits_at_k(y, score, 2) == pytest.approx(4 / 3)
    assert precision_at_k(y, score, 2) == pytest.approx(2 / 3)
    assert recall_at_k(y, score, 2) == pytest.approx(2 / 3)


def test_edge_cases():
    assert precision_at_k(np.array([1, 0]), np.array([1.0, 0.0]), 0) == 0.0
    assert precision_at_k(np.array([1, 0]), np.array([1.0, 0.0]), 10) == 0.5  # k > n
    assert np.isnan(recall_at_k(np.array([0, 0]), np.array([1.0, 0.0]), 1))
    assert capacity_k(1000, 0.05) == 50


def test_ordering_score_keeps_lexicographic_order_and_ties():
    tier = np.array([1, 2, 2, 1, 2])
    risk = np.array([0.9, 0.1, 0.1, 0.2, np.nan])
    s = ordering_score(tier, risk)
    assert s[1] == s[2], "equal keys tie"
    assert s[1] > s[0] > s[3], "tier first, then risk"
    assert s[4] < s[1], "unknown risk sorts below known within the tier"


def test_at_capacity_side_by_side_and_lift():
    y = np.array([1] * 5 + [0] * 95)
    perfect = np.arange(100, 0, -1).astype(float)
    table = at_capacity(y, {"perfect": perfect, "reverse": -perfect}, capacity=0.05).set_index(
        "ordering")
    assert table.loc["random", "precision@k"] == 0.05 and table.loc["random", "lift"] == 1
    assert table.loc["perfect", "precision@k"] == 1.0 and table.loc["perfect", "lift"] == 20
    assert table.loc["reverse", "recall@k"] == 0.0


def test_recall_by_group_and_gap():
    y = np.array([1, 1, 0, 0, 1, 0])
    score = np.array([6, 5, 4, 3, 2, 1], dtype=float)
    groups = pd.Series(["a", "a", "a", "b", "b", "b"])
    table = recall_by_group(y, score, groups, capacity=2 / 6)
    assert table.loc["overall", "recall@k"] == pytest.approx(2 / 3)
    assert table.loc["a", "recall@k"] == 1.0 and table.loc["b", "recall@k"] == 0.0
    assert table.loc["b", "gap"] == pytest.approx(-2 / 3)


def test_calibration_table_equal_width_bins():
    rng = np.random.default_rng(0)
    p = rng.random(10_000)
    y = (rng.random(10_000) < p).astype(int)
    table = calibration_table(y, p, bins=10)
    assert table["bin"].tolist()[0] == "0.0-0.1" and len(table) == 10
    assert table["visits"].sum() == 10_000
    assert np.allclose(table["mean_predicted"], table["observed"], atol=0.05)
    sparse = calibration_table(np.array([0, 1]), np.array([0.01, 0.99]))
    assert sparse["bin"].tolist() == ["0.0-0.1", "0.9-1.0"], "empty bins are left out"
