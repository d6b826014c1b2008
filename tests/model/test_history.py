"""Site history uses only the past: earlier visits and outcomes decided before the visit."""

import numpy as np
import pandas as pd

from screening.model.history import site_history


def reference(visits, score, tier):
    """A slow, obviously right version: for each visit, look at the others one by one."""
    rows = []
    for i, v in visits.iterrows():
        earlier = [(j, w) for j, w in visits.iterrows() if w["site_id"] == v["site_id"] and (
            w["visit_date"] < v["visit_date"] or (w["visit_date"] == v["visit_date"] and j < i))]
        rows.append({
            "prior_visits": float(len(earlier)),
            "prior_max_rule_score": max((score[j] for j, _ in earlier), default=np.nan),
            "prior_urgent_or_high": float(any(tier[j] >= 2 for j, _ in earlier)),
        })
    return pd.DataFrame(rows)


def test_matches_the_slow_reference_on_random_visits():
    rng = np.random.default_rng(4)
    n = 200
    visits = pd.DataFrame({
        "visit_id": [f"V{i}" for i in range(n)],
        "site_id": rng.choice(["A", "B", "C", "D", "E"], n),
        "visit_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, n), "D"),
    })
    score = rng.integers(0, 20, n).astype(float)
    tier = rng.integers(0, 4, n)
    got = site_history(visits, score, tier)
    want = reference(visits, score, tier)
    pd.testing.assert_frame_equal(got[want.columns].reset_index(drop=True), want)


def test_outcomes_count_only_when_decided_before_the_visit():
    visits = pd.DataFrame({
        "visit_id": ["a", "b", "c", "d"], "site_id": ["S", "S", "S", "T"],
        "visit_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-05-01", "2024-05-01"]),
    })
    outcomes = pd.DataFrame({"visit_id": ["a", "d"], "outcome": ["forced_labour",
                                                                 "labour_violation"],
                             "decided_on": pd.to_datetime(["2024-03-01", "2024-04-01"])})
    h = site_history(visits, np.zeros(4), np.zeros(4, dtype=int), outcomes)
    # b happened before a's follow-up was decided: it must not know the result
    assert h["prior_forced_labour"].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert h["prior_labour_violation"].tolist() == [0.0, 0.0, 0.0, 1.0]
    unknown = site_history(visits, np.zeros(4), np.zeros(4, dtype=int))
    assert unknown["prior_forced_labour"].isna().all()
