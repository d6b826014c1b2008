"""Ranking the follow-up list: tier first, then risk score, then rule score."""

import numpy as np
import pandas as pd
import pytest

from screening.priority import (
    FOLLOW_UP_COLUMNS,
    SELECTION_COLUMNS,
    escalate,
    follow_up_list,
    order,
    select,
)
from tests.conftest import make_visits


def test_order_urgent_then_risk_then_tier():
    tier = np.array(["low", "high", "urgent", "high", "medium", "high", "medium"], dtype=object)
    risk = np.array([0.9, 0.2, np.nan, 0.7, 0.99, np.nan, 0.7])
    rule = np.array([1.0, 9.0, 3.0, 8.0, 5.0, 20.0, 30.0])
    ids = np.array(list("abcdefg"), dtype=object)
    # urgent c; then by risk: e (0.99), a (0.9), d and g (0.7: the high tier first, the rule
    # score does not break ties of a risk score), b (0.2); f (unknown risk) last
    assert [ids[i] for i in order(tier, risk, rule)] == list("ceadgbf")


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
    assert tuple(ranked.columns) == FOLLOW_UP_COLUMNS + SELECTION_COLUMNS
    assert ranked["visit_id"].tolist() == ["V2", "V3", "V1"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["risk_score"].isna().all(), "no model yet: risk_score stays empty"
    assert ranked["icls_workers"].tolist()[:2] == [2, 0]
    assert ranked["icls_workers"].isna().tolist() == [False, False, True]
    assert not ranked["exploration"].any()
    assert ranked.loc[0, "reasons"] == "because"
    assert isinstance(ranked.loc[0, "visit_date"], pd.Timestamp)


def test_escalation_raises_one_tier_never_to_urgent_never_down():
    tiers = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    risk = np.array([0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1])
    codes, raised = escalate(tiers, risk, threshold=0.5)
    assert codes.tolist() == [1, 2, 2, 3, 0, 1, 2, 3]
    assert raised.tolist() == [True, True, False, False, False, False, False, False]
    assert (codes >= tiers).all()


@pytest.mark.parametrize("n, capacity, share, top, explored", [
    (1000, 50, 0.05, 48, 2), (1000, 50, 0.0, 50, 0), (300, 15, 0.05, 14, 1),
    (10, 10, 0.05, 10, 0), (5, 10, 0.5, 5, 0),
], ids=["default", "no-exploration", "sample", "capacity=all", "capacity>visits"])
def test_exploration_share_and_recorded_probabilities(n, capacity, share, top, explored):
    order_idx = np.random.default_rng(1).permutation(n)
    selected, explore, probability = select(order_idx, capacity, share,
                                            np.random.default_rng(2))
    assert int(explore.sum()) == explored
    assert int(selected.sum()) == min(capacity, n)
    top_positions = order_idx[:top]
    assert selected[top_positions].all() and (probability[top_positions] == 1.0).all()
    rest = order_idx[top:]
    assert explore[rest].sum() == explored and not explore[top_positions].any()
    if explored:
        assert np.allclose(probability[rest], explored / len(rest))
        # the drawn visits are spread over the rest, not the next ones in line
    else:
        assert (probability[rest] == 0).all()


def test_exploration_draws_uniformly():
    order_idx = np.arange(100)
    counts = np.zeros(100)
    for seed in range(2000):
        _, explore, _ = select(order_idx, 10, 0.2, np.random.default_rng(seed))
        counts += explore
    below = counts[8:]  # 2 slots drawn among 92 visits
    assert counts[:8].sum() == 0
    expected = 2000 * 2 / 92
    assert np.all(np.abs(below - expected) < 5 * np.sqrt(expected))


def test_follow_up_list_marks_selection():
    visits = make_visits(*[{} for _ in range(40)])
    ranked = follow_up_list(
        visits, tier=np.array(["low"] * 40, dtype=object), rule_score=np.arange(40.0),
        icls_workers=np.full(40, np.nan), indicators=np.array([""] * 40, dtype=object),
        reasons=np.array([""] * 40, dtype=object), capacity=10, exploration_share=0.2, seed=3)
    assert ranked["selected"].sum() == 10
    assert ranked["selected"].head(8).all()
    assert ranked["exploration"].sum() == 2 and not ranked["exploration"].head(8).any()
    assert (ranked.loc[ranked["exploration"], "selection_probability"] == 2 / 32).all()


def test_urgent_visits_use_no_follow_up_capacity():
    """Urgent visits lead the list but go to the referral queue: the capacity and its
    exploration slots are the other visits'."""
    tiers = np.array(["urgent"] * 5 + ["high"] * 3 + ["low"] * 32, dtype=object)
    visits = make_visits(*[{} for _ in range(40)])
    ranked = follow_up_list(
        visits, tier=tiers, rule_score=np.arange(40.0), icls_workers=np.full(40, np.nan),
        indicators=np.array([""] * 40, dtype=object), reasons=np.array([""] * 40, dtype=object),
        capacity=10, exploration_share=0.2, seed=3)
    urgent = ranked["tier"] == "urgent"
    assert ranked["tier"].head(5).eq("urgent").all(), "urgent visits still lead the list"
    assert not ranked.loc[urgent, "selected"].any() and not ranked.loc[urgent, "exploration"].any()
    assert (ranked.loc[urgent, "selection_probability"] == 1.0).all()
    assert ranked["selected"].sum() == 10, "ten follow-ups, none of them urgent"
    assert ranked.loc[~urgent, "selected"].head(8).all()
    assert ranked["exploration"].sum() == 2
    assert (ranked.loc[ranked["exploration"], "selection_probability"] == 2 / 27).all()


def test_follow_up_capacity_counts_the_visits_that_are_not_urgent():
    from screening.priority import follow_up_capacity

    assert follow_up_capacity(["urgent"] * 50 + ["medium"] * 950, 0.02) == 19
    assert follow_up_capacity(["urgent"] * 3, 0.05) == 0
