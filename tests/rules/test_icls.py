"""The ICLS 2018 test per interviewed worker: >= 1 involuntariness AND >= 1 coercion."""

import numpy as np
import pytest

from screening.rules.engine import ICLS_NEGATIVE, ICLS_POSITIVE, ICLS_UNKNOWN
from tests.conftest import make_interviews, make_visits

INVOLUNTARY = [
    {"deceived_about_job": True},
    {"forced_overtime": True},
    {"free_to_leave_job": False},
]
COERCION = [
    {"threatened": True},
    {"experienced_violence": True},
    {"free_to_leave_premises": False},
    {"owes_debt_to_employer": True},
    {"wage_arrears_months": 3.0},
    {"holds_own_documents": False},
]
ALL_NO = {
    "deceived_about_job": False,
    "forced_overtime": False,
    "free_to_leave_job": True,
    "threatened": False,
    "experienced_violence": False,
    "free_to_leave_premises": True,
    "owes_debt_to_employer": False,
    "wage_arrears_months": 0.0,
    "holds_own_documents": True,
}


def icls_of(engine, *answers):
    visits = make_visits({})
    interviews = make_interviews(*[{"visit_id": "V1", **a} for a in answers])
    return engine.workers(visits, interviews)["icls"].tolist()


@pytest.mark.parametrize("inv", INVOLUNTARY, ids=lambda d: next(iter(d)))
@pytest.mark.parametrize("co", COERCION, ids=lambda d: next(iter(d)))
def test_each_involuntariness_with_each_coercion_is_positive(engine, inv, co):
    assert icls_of(engine, {**ALL_NO, **inv, **co}) == [ICLS_POSITIVE]


@pytest.mark.parametrize("single", INVOLUNTARY + COERCION, ids=lambda d: next(iter(d)))
def test_one_dimension_alone_is_negative(engine, single):
    assert icls_of(engine, {**ALL_NO, **single}) == [ICLS_NEGATIVE]


def test_two_involuntariness_without_coercion_is_negative(engine):
    both = {**ALL_NO, "deceived_about_job": True, "forced_overtime": True}
    assert icls_of(engine, both) == [ICLS_NEGATIVE]


def test_unknown_answers_are_unknown_not_negative(engine):
    # involuntary, coercion answers all unknown -> cannot say
    assert icls_of(engine, {"deceived_about_job": True}) == [ICLS_UNKNOWN]
    assert icls_of(engine, {}) == [ICLS_UNKNOWN]
    # every coercion answer known and no -> negative even with involuntariness unknown
    no_coercion = {k: v for k, v in ALL_NO.items() if k in {next(iter(c)) for c in COERCION}}
    assert icls_of(engine, no_coercion) == [ICLS_NEGATIVE]


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
    assert result.tier[0] == "urgent"
    assert "ICLS-FL-WORKERS" in result.indicators[0].split(";")
    assert "2 of 3 interviewed workers meet the ICLS 2018 test" in result.reasons[0]


def test_sex_is_never_a_worker_feature(catalogue):
    assert "sex" not in catalogue.worker_types
    assert "sex" not in catalogue.site_types
