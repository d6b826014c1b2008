"""The ICLS 2018 test per interviewed worker: >= 1 involuntariness AND >= 1 coercion.

Every item of the guidelines (IV1-IV9, CO1-CO6) has an interview column. A worker is negative
only when every involuntariness item or every coercion item is known to be false; an item never
asked (column absent or cell empty) is unknown, and so is the worker unless positive.
"""

import numpy as np
import pytest

from screening.rules.engine import ICLS_NEGATIVE, ICLS_POSITIVE, ICLS_UNKNOWN
from tests.conftest import make_interviews, make_visits

# each item with its "yes" answer (the answer that makes the item hold)
INVOLUNTARY = [
    {"recruited_through_transaction": True},  # IV1
    {"deceived_about_job": True},  # IV2
    {"deceived_about_pay": True},  # IV2 (pay)
    {"forced_overtime": True},  # IV3
    {"hazardous_without_consent": True},  # IV4
    {"very_low_or_no_wages": True},  # IV5
    {"degrading_living_conditions": True},  # IV6
    {"other_employer_than_agreed": True},  # IV7
    {"longer_than_agreed": True},  # IV8
    {"free_to_leave_job": False},  # IV9
]
COERCION = [
    {"threatened": True},  # CO1
    {"experienced_violence": True},  # CO1
    {"free_to_leave_premises": False},  # CO2
    {"owes_debt_to_employer": True},  # CO3
    {"wage_arrears_months": 3.0},  # CO4
    {"holds_own_documents": False},  # CO5
    {"denied_rights_or_threatened_deportation": True},  # CO6
]
IV_NO = {
    "recruited_through_transaction": False,
    "deceived_about_job": False,
    "deceived_about_pay": False,
    "forced_overtime": False,
    "hazardous_without_consent": False,
    "very_low_or_no_wages": False,
    "degrading_living_conditions": False,
    "other_employer_than_agreed": False,
    "longer_than_agreed": False,
    "free_to_leave_job": True,
}
CO_NO = {
    "threatened": False,
    "experienced_violence": False,
    "free_to_leave_premises": True,
    "owes_debt_to_employer": False,
    "wage_arrears_months": 0.0,
    "holds_own_documents": True,
    "denied_rights_or_threatened_deportation": False,
}
ALL_NO = {**IV_NO, **CO_NO}
# the columns of a file made before the remaining ICLS items were added
OLD_COLUMNS = {"deceived_about_job", "forced_overtime", "free_to_leave_job", "threatened",
               "experienced_violence", "free_to_leave_premises", "owes_debt_to_employer",
               "wage_arrears_months", "holds_own_documents"}


def icls_of(engine, *answers):
    visits = make_visits({})
    interviews = make_interviews(*[{"visit_id": "V1", **a} for a in answers])
    return engine.workers(visits, interviews)["icls"].tolist()


def test_every_guideline_item_has_an_indicator(catalogue):
    refs = {
        item.strip()
        for ind in catalogue.worker if ind.spec.icls
        for ref in ind.spec.frameworks if ref.framework == "ICLS-2018"
        for item in ref.ref.split("(")[0].split(",")
    }
    assert {f"IV{i}" for i in range(1, 10)} | {f"CO{i}" for i in range(1, 7)} <= refs


@pytest.mark.parametrize("inv", INVOLUNTARY, ids=lambda d: next(iter(d)))
@pytest.mark.parametrize("co", COERCION, ids=lambda d: next(iter(d)))
def test_each_involuntariness_with_each_coercion_is_positive(engine, inv, co):
    assert icls_of(engine, {**ALL_NO, **inv, **co}) == [ICLS_POSITIVE]
    # positive needs nothing else to be known
    assert icls_of(engine, {**inv, **co}) == [ICLS_POSITIVE]


@pytest.mark.parametrize("single", INVOLUNTARY + COERCION, ids=lambda d: next(iter(d)))
def test_one_dimension_alone_is_negative_when_the_other_is_all_known_false(engine, single):
    assert icls_of(engine, {**ALL_NO, **single}) == [ICLS_NEGATIVE]


@pytest.mark.parametrize("single", INVOLUNTARY + COERCION, ids=lambda d: next(iter(d)))
def test_one_dimension_with_the_other_not_fully_asked_is_unknown(engine, single):
    other = CO_NO if next(iter(single)) in IV_NO else IV_NO
    missing = next(iter(other))  # leave one item of the other dimension unasked
    answers = {**{k: v for k, v in other.items() if k != missing}, **single}
    assert icls_of(engine, answers) == [ICLS_UNKNOWN]


@pytest.mark.parametrize("missing", sorted(IV_NO), ids=str)
def test_involuntariness_all_false_but_one_unknown_is_unknown(engine, missing):
    answers = {k: v for k, v in IV_NO.items() if k != missing}
    assert icls_of(engine, answers) == [ICLS_UNKNOWN]
    assert icls_of(engine, {**answers, missing: IV_NO[missing]}) == [ICLS_NEGATIVE]


@pytest.mark.parametrize("missing", sorted(CO_NO), ids=str)
def test_coercion_all_false_but_one_unknown_is_unknown(engine, missing):
    answers = {k: v for k, v in CO_NO.items() if k != missing}
    assert icls_of(engine, answers) == [ICLS_UNKNOWN]
    assert icls_of(engine, {**answers, missing: CO_NO[missing]}) == [ICLS_NEGATIVE]


def test_nothing_asked_is_unknown(engine):
    assert icls_of(engine, {}) == [ICLS_UNKNOWN]
    assert icls_of(engine, {"deceived_about_job": True}) == [ICLS_UNKNOWN]


def test_an_old_file_never_asked_the_new_items_so_a_no_is_unknown(engine):
    # before: every old column "no" read as negative although IV1, IV4-IV8 and CO6 were never
    # asked; now that worker cannot be tested
    old_no = {k: v for k, v in ALL_NO.items() if k in OLD_COLUMNS}
    assert icls_of(engine, old_no) == [ICLS_UNKNOWN]
    # ... and an old file's deceived_about_job keeps being read as before
    assert icls_of(engine, {**old_no, "deceived_about_job": True,
                            "holds_own_documents": False}) == [ICLS_POSITIVE]


def test_long_hours_alone_are_not_involuntariness(engine):
    # weekly hours is a labour-law sign, not one of the ICLS involuntariness items
    assert icls_of(engine, {**ALL_NO, "weekly_hours": 80.0, "threatened": True}) == [ICLS_NEGATIVE]


def test_icls_workers_counts_positive_workers_per_visit(engine):
    visits = make_visits({}, {}, {})
    positive = {**ALL_NO, "deceived_about_job": True, "holds_own_documents": False}
    interviews = make_interviews(
        {"visit_id": "V1", **positive},
        {"visit_id": "V1", **positive},
        {"visit_id": "V1", **ALL_NO},
        {"visit_id": "V2", **ALL_NO},
    )
    result = engine.run(visits, interviews)
    counts = result.icls_workers
    assert counts[0] == 2 and counts[1] == 0
    assert np.isnan(counts[2]), "a visit without interviews has an unknown count, not zero"
    assert result.features["interviews"].tolist() == [3.0, 1.0, 0.0]
    assert result.icls_unknown_workers[:2].tolist() == [0.0, 0.0]
    assert result.tier[0] == "urgent"
    assert "ICLS-FL-WORKERS" in result.indicators[0].split(";")
    assert "2 of 3 interviewed workers who could be tested meet the ICLS 2018 test" in (
        result.reasons[0])


def test_no_worker_could_be_tested_is_unknown_not_zero(engine):
    # before: icls_workers was 0 where nobody could be tested
    visits = make_visits({}, {})
    old_no = {k: v for k, v in ALL_NO.items() if k in OLD_COLUMNS}
    interviews = make_interviews(
        {"visit_id": "V1", **old_no}, {"visit_id": "V1"},
        {"visit_id": "V2", **ALL_NO}, {"visit_id": "V2"},
    )
    result = engine.run(visits, interviews)
    assert np.isnan(result.icls_workers[0])
    assert result.icls_unknown_workers.tolist() == [2.0, 1.0]
    assert result.features["icls_tested"].tolist() == [0.0, 1.0]
    assert result.icls_workers[1] == 0


def test_a_count_over_nobody_asked_is_unknown_and_shares_are_over_those_asked(engine):
    visits = make_visits({}, {})
    interviews = make_interviews(
        {"visit_id": "V1", "threatened": True}, {"visit_id": "V1"},  # one asked, one not
        {"visit_id": "V2"}, {"visit_id": "V2"},  # interviewed, never asked about threats
    )
    f = engine.run(visits, interviews).features
    assert f["workers_threatened"][0] == 1 and f["workers_threatened_asked"][0] == 1
    assert f["workers_threatened_share"][0] == 1.0  # 1 of 1 asked, not 1 of 2 interviewed
    assert np.isnan(f["workers_threatened"][1]), "nobody asked: unknown, not 0"
    assert f["workers_threatened_asked"][1] == 0
    assert np.isnan(f["workers_threatened_share"][1])


def test_evidence_says_how_many_were_asked(engine):
    # before: "1 of 2 interviewed workers (50%)" when only one of the two was asked
    visits = make_visits({})
    interviews = make_interviews(
        {"visit_id": "V1", "deceived_about_job": True}, {"visit_id": "V1", "age": 30},
    )
    result = engine.run(visits, interviews)
    assert "1 of 1 workers asked (100%) say the work" in result.reasons[0]
    assert "of 2 interviewed" not in result.reasons[0]


def test_sex_is_never_a_worker_feature(catalogue):
    assert "sex" not in catalogue.worker_types
    assert "sex" not in catalogue.site_types


def test_the_follow_up_list_adds_icls_unknown_workers(engine):
    from screening.pipeline import screen_frames
    from screening.priority import FOLLOW_UP_COLUMNS

    visits = make_visits({}, {}, {})
    interviews = make_interviews(
        {"visit_id": "V1", "deceived_about_job": True, "holds_own_documents": False},
        {"visit_id": "V1", "threatened": False},  # nothing else asked: unknown
        {"visit_id": "V2", **ALL_NO},
    )
    ranked = screen_frames(visits, interviews, engine=engine).follow_up
    assert list(ranked.columns[:len(FOLLOW_UP_COLUMNS)]) == list(FOLLOW_UP_COLUMNS)
    ranked = ranked.set_index("visit_id")
    assert ranked.loc["V1", "icls_workers"] == 1 and ranked.loc["V1", "icls_unknown_workers"] == 1
    assert ranked.loc["V2", "icls_workers"] == 0 and ranked.loc["V2", "icls_unknown_workers"] == 0
    assert ranked["icls_workers"].isna()["V3"] and ranked["icls_unknown_workers"].isna()["V3"]


def _answers_at_random(n_visits, n_workers, seed):
    """Visits and interviews as the loaders give them: true/false answers as pandas
    booleans with gaps, numbers as floats with gaps; some visits without interviews."""
    import pandas as pd

    from screening.rules.features import worker_feature_types

    rng = np.random.default_rng(seed)
    visits = make_visits(*({} for _ in range(n_visits)))
    visit_of = rng.integers(0, n_visits - 2, n_workers)  # the last two have no interviews
    interviews = pd.DataFrame({
        "visit_id": visits["visit_id"].to_numpy()[visit_of],
        "worker_ref": [f"W{i}" for i in range(n_workers)],
    })
    for name, kind in worker_feature_types().items():
        if kind == "bool":
            answers = pd.array(rng.random(n_workers) < 0.3, dtype="boolean")
            answers[rng.random(n_workers) < 0.2] = pd.NA
            interviews[name] = answers
        elif kind == "number":
            numbers = rng.integers(0, 6, n_workers).astype("float64")
            numbers[rng.random(n_workers) < 0.2] = np.nan
            interviews[name] = numbers
    return visits, interviews


def test_answers_read_from_booleans_match_answers_read_as_numbers(engine):
    # the rules read a true/false answer straight from its booleans (no float copy of
    # every answer); the same interviews with each answer as 1.0/0.0/NaN give the same
    visits, interviews = _answers_at_random(40, 300, seed=3)
    as_numbers = interviews.copy()
    for name in interviews.columns:
        if str(interviews[name].dtype) == "boolean":
            as_numbers[name] = interviews[name].astype("Float64").to_numpy(
                dtype="float64", na_value=np.nan)
    assert (interviews.dtypes == "boolean").sum() > 10
    direct, numbers = engine.run(visits, interviews), engine.run(visits, as_numbers)
    assert direct.workers.equals(numbers.workers)
    assert direct.features.equals(numbers.features)
    assert direct.rule_score.tolist() == numbers.rule_score.tolist()


def test_an_answer_nobody_gave_is_unknown_for_every_worker(engine):
    import pandas as pd

    visits = make_visits({})
    interviews = make_interviews({"visit_id": "V1", **ALL_NO}, {"visit_id": "V1", **ALL_NO})
    interviews["threatened"] = pd.array([pd.NA, pd.NA], dtype="boolean")
    interviews["free_to_leave_job"] = pd.array([True, True], dtype="boolean")
    workers = engine.workers(visits, interviews)
    threatened = next(i.id for i in engine.catalogue.worker if i.spec.count_as
                      == "workers_threatened")
    assert workers[threatened].tolist() == [-1, -1]
    assert workers["icls"].tolist() == [ICLS_NEGATIVE] * 2  # involuntariness all known "no"
    features = engine.run(visits, interviews).features
    assert np.isnan(features["workers_threatened"][0])
    assert features["workers_threatened_asked"][0] == 0


def test_counting_answers_per_visit_matches_counting_the_known_and_the_true_apart():
    from screening.rules.features import answer_counts, asked_per_visit, count_per_visit

    rng = np.random.default_rng(5)
    positions = rng.integers(0, 50, 400)  # in no order; visits 50-59 have no interviews
    values = rng.choice(np.array([-1, 0, 1], dtype=np.int8), 400)
    interviewed = np.bincount(positions, minlength=60)
    counts, asked = answer_counts(values, positions, interviewed)
    known = values >= 0
    np.testing.assert_array_equal(counts, count_per_visit(values == 1, positions, 60,
                                                          known=known))
    np.testing.assert_array_equal(asked, asked_per_visit(known, positions, 60))
    assert np.isnan(counts[50:]).all() and np.isnan(asked[50:]).all()
    for visit in range(50):  # written out visit by visit
        mine = values[positions == visit]
        assert asked[visit] == (mine >= 0).sum()
        expected = (mine == 1).sum() if (mine >= 0).any() else np.nan
        np.testing.assert_equal(counts[visit], expected)
