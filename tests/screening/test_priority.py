"""Ranking the follow-up list: tier first, then risk score, then rule score."""

import numpy as np
import pandas as pd

from screening.priority import FOLLOW_UP_COLUMNS, follow_up_list, order
from tests.conftest import make_visits


def test_order_tier_then_risk_then_rule_score():
    tier = np.array(["low", "high", "urgent", "high", "medium", "high"], dtype=object)
    risk = np.array([0.9, 0.2, np.nan, 0.7, 0.99, np.nan])
    rule = np.array([1.0, 9.0, 3.0, 8.0, 5.0, 20.0])
    ids = np.array(list("abcdef"), dtype=object)
    # urgent c; then high by risk: d (0.7), b (0.2), f (unknown risk last); medium e; low a
    assert [ids[i] for i in order(tier, risk, rule)] == list("cdbfea")


def test_order_without_risk_scores_uses_rule_score_then_input_order():
    tier = np.array(["medium", "medium", "medium"], dtype=object)
    rule = np.array([4.0, 6.0, 4.0])
    ids = np.array(["V2", "V3", "V1"], dtype=object)
    assert [ids[i] for i in order(tier, np.full(3, np.nan), rule)] == ["V3", "V2", "V1"]


def test_follow_up_list_columns_and_ranks():
    visits = make_visits({}, {}, {})
    ranked = follow_up_list(
        visits,
        tier=np.array(["low", "urgent", "medium"], dtype=object),
        rule_score=np.array([0.0, 10.0, 4.0]),
        icls_workers=np.array([np.nan, 2.0, 0.0]),
        indicators=np.array(["", "ICLS-FL-WORKERS", "X"], dtype=object),
        reasons=np.array(["", "because", "why"], dtype=object),
    )
    assert tuple(ranked.columns) == FOLLOW_UP_COLUMNS
    assert ranked["visit_id"].tolist() == ["V2", "V3", "V1"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["risk_score"].isna().all(), "no model yet: risk_score stays empty"
    assert ranked["icls_workers"].tolist()[:2] == [2, 0]
    assert ranked["icls_workers"].isna().tolist() == [False, False, True]
    assert not ranked["exploration"].any()
    assert ranked.loc[0, "reasons"] == "because"
    assert isinstance(ranked.loc[0, "visit_date"], pd.Timestamp)
