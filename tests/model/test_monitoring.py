"""Live performance and drift, on hand-made outcomes with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from screening.model.monitoring import (
    at_capacity,
    column_psi,
    drift_table,
    exploration_estimate,
    hit_rates,
    label_counts,
    psi,
    reference_bins,
    risk_band,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson_interval(2, 10)
    assert (round(low, 4), round(high, 4)) == (0.0567, 0.5098)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0


@pytest.fixture
def decided():
    """40 decided visits: 10 urgent (6 forced labour), 10 high (2), 20 low (0, 5 of them
    exploration slots of which 1 was forced labour)."""
    rows = []
    for i in range(10):
        rows.append(("urgent", "forced_labour" if i < 6 else "labour_violation", 0.9, True,
                     False, 1.0, "2025-01"))
    for i in range(10):
        rows.append(("high", "forced_labour" if i < 2 else "no_violation", 0.3, True, False, 1.0,
                     "2025-02"))
    for i in range(20):
        explore = i < 5
        outcome = "forced_labour" if i == 0 else "no_violation"
        rows.append(("low", outcome, 0.01, explore, explore, 0.05 if explore else 0.0,
                     "2025-02"))
    return pd.DataFrame(rows, columns=["tier", "outcome", "risk_score", "selected",
                                       "exploration", "selection_probability", "month"])


def test_hit_rates_by_tier(decided):
    table = hit_rates(decided, "tier").set_index("group")
    assert table.loc["urgent", "forced_labour_rate"] == 0.6
    assert table.loc["urgent", "labour_violation"] == 4
    assert table.loc["high", "forced_labour"] == 2 and table.loc["high", "decided"] == 10
    assert table.loc["low", "forced_labour_rate"] == 1 / 20
    low, high = wilson_interval(6, 10)
    assert table.loc["urgent", "forced_labour_low"] == low
    assert table.loc["urgent", "forced_labour_high"] == high


def test_hit_rates_by_risk_band(decided):
    decided = decided.assign(band=risk_band(decided["risk_score"]))
    table = hit_rates(decided, "band").set_index("group")
    assert table.loc["0.50-1.00", "forced_labour_rate"] == 0.6
    assert table.loc["0.20-0.50", "forced_labour_rate"] == 0.2
    assert table.loc["0.00-0.05", "decided"] == 20


def test_exploration_slots_estimate_the_unflagged(decided):
    estimate = exploration_estimate(decided)
    assert (estimate["slots"], estimate["forced_labour"], estimate["rate"]) == (5, 1, 0.2)
    assert estimate["low"] < 0.2 < estimate["high"]


def test_precision_and_inverse_probability_recall_at_capacity(decided):
    result = at_capacity(decided)
    # top of the list: 20 decided (urgent + high), 8 forced labour
    assert result["top_decided"] == 20 and result["precision"] == 8 / 20
    # all forced labour: 8 at the top (p = 1) + 1 exploration hit standing for 1 / 0.05 = 20
    assert result["estimated_forced_labour"] == pytest.approx(28.0)
    assert result["recall"] == pytest.approx(8 / 28)


def test_label_counts_by_month(decided):
    table = label_counts(decided, "month").set_index("month")
    assert table.loc["2025-01"].tolist() == [6, 4, 0, 10]
    assert table.loc["2025-02"].tolist() == [3, 0, 27, 30]


def test_psi_of_a_known_shift():
    # a true/false column: 50% true in training, 80% true this month, never unknown
    expected = 0.3 * math.log(0.8 / 0.5) + (-0.3) * math.log(0.2 / 0.5)
    assert psi(np.array([0.5, 0.5]), np.array([0.8, 0.2])) == pytest.approx(expected)
    reference = reference_bins(pd.Series([1.0, 0.0] * 500))
    month = pd.Series([1.0] * 80 + [0.0] * 20)
    value, unknown = column_psi(reference, month)
    assert unknown == 0.0
    assert value == pytest.approx(expected, rel=1e-3)


def test_a_column_that_stops_being_filled_in_drifts():
    reference = reference_bins(pd.Series([1.0, 0.0] * 500))
    value, unknown = column_psi(reference, pd.Series([np.nan] * 60 + [1.0, 0.0] * 20))
    assert unknown == 0.6 and value > 0.25


def test_a_drifted_synthetic_month():
    from screening.datasets.synthetic import generate

    data = generate(4000, seed=5)
    hours = data.visits["avg_weekly_hours"]
    reference = {"avg_weekly_hours": reference_bins(hours)}
    months = pd.Series(["same"] * len(hours) + ["drifted"] * len(hours))
    frame = pd.DataFrame({"avg_weekly_hours": pd.concat([hours, hours + 15],
                                                        ignore_index=True)})
    table = drift_table(reference, frame, months).set_index("month")
    assert table.loc["same", "psi"] < 0.01
    assert table.loc["drifted", "psi"] > 0.25
    assert table.loc["drifted", "unknown_share"] == pytest.approx(hours.isna().mean())
