"""The tier policy from the standards and one count per fact, on the bundled catalogue.

Every case the issue quotes is here with its new answer (the answer before is in a comment):
urgent = a probable victim; high = two or more distinct ILO forced-labour indicators with a
strong one, a minor in hazardous work, or a child below the minimum age; medium = any single
ILO forced-labour indicator (or minors in harvest or street work); low = labour-law alone.
"""

import numpy as np
import pytest

from tests.conftest import make_interviews, make_visits

INFORMAL_CREW = {
    "sector": "construction", "workers_present": 10, "workers_without_contract": 8,
    "hazardous_work": True, "below_minimum_wage": True, "wage_records_available": False,
}


def screen(engine, visit, *interviews):
    result = engine.run(make_visits(visit), make_interviews(
        *[{"visit_id": "V1", **i} for i in interviews]) if interviews else None)
    return result, result.tier[0], float(result.rule_score[0]), result.indicators[0].split(";")


def test_informal_crew_without_coercion_is_low(engine):
    # before: medium, 7.5 (FL10, EC-D4, four LAW rules and a sector rule on the same facts)
    result, tier, score, fired = screen(engine, INFORMAL_CREW)
    assert tier == "low"
    # one count per fact: no contract 1 + hazardous 1 + low pay 1 + no wage records 1
    assert score == 4.0
    assert set(result.corroborating(0)) == {"EC-D4-EXPLOITATIVE-CONDITIONS",
                                            "SEC-CON-INFORMAL-CREW"}
    assert "ILO-FL10-CONDITIONS" not in fired, "the inspector's finding is labour law"


def test_labour_law_facts_alone_never_go_above_medium(engine):
    # before: high, 12 (ten rules on labour-law facts)
    visit = {**INFORMAL_CREW, "intermediary_id": "AG1", "intermediary_registered": False,
             "foreign_workers": 4, "foreign_workers_without_permit": 3}
    result, tier, score, fired = screen(engine, visit)
    # the one ILO indicator is abuse of vulnerability (no permit + below minimum wage)
    assert tier == "medium"
    assert [i for i in fired if i.startswith(("ILO-", "EC-D2", "ICLS"))] == [
        "ILO-FL01-VULNERABILITY"]
    assert "ILO-FL01-VULNERABILITY" in result.corroborating(0)  # its facts count in LAW rules
    # no contract, hazardous, low pay, no records, intermediary, no permit: 6 facts, once each
    assert score == 1 + 1 + 1 + 1 + 1.5 + 1.5
    without_vulnerability = {**visit, "below_minimum_wage": False}
    assert screen(engine, without_vulnerability)[1] == "low"


def test_remote_cotton_camp_counts_its_three_facts_once(engine):
    # before: medium, 5.5 through four rules (FL01, FL04, SEC-AGR-HARVEST-CAMP, LAW) on the same
    # three facts (remote, living on site, below minimum wage)
    camp = {"sector": "agriculture", "subsector": "cotton harvest", "living_on_site": True,
            "remote_location": True, "below_minimum_wage": True}
    result, tier, score, fired = screen(engine, camp)
    assert tier == "medium"  # isolation (FL04) is one ILO indicator
    assert score == 1.5 + 1.0  # FL04 (remote + living on site) and LAW-BELOW-MINIMUM-WAGE
    assert set(result.corroborating(0)) == {"ILO-FL01-VULNERABILITY", "SEC-AGR-HARVEST-CAMP"}


@pytest.mark.parametrize(("visit", "interviews", "indicator"), [
    pytest.param({"wage_arrears_months": 4}, [], "ILO-FL08-WAGES", id="four-months-arrears"),
    pytest.param({"avg_weekly_hours": 72}, [], "ILO-FL11-OVERTIME", id="72-hour-week"),
    pytest.param({}, [{"deceived_about_job": True}], "ILO-FL02-DECEPTION",
                 id="a-worker-deceived-about-the-job"),
    pytest.param({"premises_locked_or_guarded": True}, [], "ILO-FL03-MOVEMENT",
                 id="locked-premises-alone"),
])
def test_any_single_ilo_indicator_is_medium(engine, visit, interviews, indicator):
    # before: arrears, 72-hour week and deception stayed low while locked premises was medium
    _, tier, _, fired = screen(engine, visit, *interviews)
    assert tier == "medium" and indicator in fired


def test_two_distinct_ilo_indicators_with_a_strong_one_are_high(engine):
    # overtime (strong in the ILO-EC grading) and wage arrears (medium): different facts
    assert screen(engine, {"avg_weekly_hours": 72, "wage_arrears_months": 4})[1] == "high"
    # two medium-strength ones stay medium: threats and wage arrears
    assert screen(engine, {"threats_reported": True, "wage_arrears_months": 4})[1] == "medium"


def test_the_same_fact_twice_is_not_two_indicators(engine):
    # documents held, seen by the inspector and told by a worker: one fact, several rules
    result, tier, score, fired = screen(
        engine, {"employer_holds_documents": True}, {"holds_own_documents": False})
    assert tier == "medium"
    assert score == 4.0  # FL07 only; EC-D2D5 does not fire on one fact
    assert "ILO-FL07-DOCUMENTS" in fired


@pytest.mark.parametrize(("visit", "interviews", "indicator"), [
    pytest.param({}, [{"deceived_about_job": True, "holds_own_documents": False}],
                 "ICLS-FL-WORKERS", id="icls-positive-worker"),
    pytest.param({"violence_observed": True}, [], "ILO-FL05-VIOLENCE", id="violence"),
    pytest.param({"premises_locked_or_guarded": True, "debt_to_employer": True}, [],
                 "ILO-FL-CONFINEMENT-CONTROL", id="confinement-with-debt"),
    pytest.param({}, [{"age": 14, "threatened": True}], "CHILD-FORCED-LABOUR",
                 id="a-child-in-forced-labour"),
])
def test_urgent_is_a_probable_victim(engine, visit, interviews, indicator):
    _, tier, _, fired = screen(engine, visit, *interviews)
    assert tier == "urgent" and indicator in fired


# ------------------------------------------------------------------ child labour


def test_a_child_below_the_minimum_age_is_high(engine):
    _, tier, _, fired = screen(engine, {}, {"age": 13})
    assert tier == "high" and "CHILD-BELOW-MINIMUM-AGE" in fired
    # 15 is the minimum age (Labour Code Art. 42): a 15-year-old is a minor, not below it
    _, tier, _, fired = screen(engine, {}, {"age": 15})
    assert "CHILD-BELOW-MINIMUM-AGE" not in fired and tier == "low"


def test_ages_from_5_are_accepted():
    from screening.ingest.records import Interview

    assert Interview.model_validate({"visit_id": "V1", "worker_ref": "W1", "age": 5}).age == 5
    with pytest.raises(ValueError, match="greater than or equal to 5"):
        Interview.model_validate({"visit_id": "V1", "worker_ref": "W1", "age": 4})


def test_a_minor_in_hazardous_work_is_high_whether_or_not_protected(engine):
    # C182: hazardous work by a person under 18 is prohibited, protection or not
    _, tier, _, fired = screen(engine, {}, {"age": 16, "hazardous_work": True})
    assert tier == "high" and "CHILD-HAZARDOUS-WORK" in fired
    _, tier, _, fired = screen(engine, {"minors_present": 1, "hazardous_work": True})
    assert tier == "high" and "CHILD-HAZARDOUS-WORK" in fired
    _, tier, _, fired = screen(engine, {}, {"age": 30, "hazardous_work": True})
    assert "CHILD-HAZARDOUS-WORK" not in fired


def test_two_minors_in_a_cotton_harvest_are_at_least_medium(engine):
    # before: low (2.5)
    _, tier, _, fired = screen(engine, {"sector": "agriculture", "subsector": "cotton harvest",
                                        "minors_present": 2})
    assert tier == "medium" and "SEC-AGR-HARVEST-MINORS" in fired


def test_minors_in_street_work_or_begging_have_their_own_indicator(engine):
    _, tier, _, fired = screen(engine, {"sector": "services", "street_work_or_begging": True,
                                        "minors_present": 3})
    assert tier == "medium" and "CHILD-STREET-WORK" in fired
    _, _, _, fired = screen(engine, {"sector": "services", "street_work_or_begging": True,
                                     "minors_present": 0})
    assert "CHILD-STREET-WORK" not in fired


def test_minors_alone_are_a_labour_law_matter(engine):
    _, tier, _, fired = screen(engine, {"sector": "services", "minors_present": 2})
    assert tier == "low" and fired == ["LAW-MINORS"]


# ------------------------------------------------------------------ unknown stays unknown


def test_an_empty_intermediary_is_unknown_not_none(engine):
    # before: an empty intermediary_id read as "no intermediary" (0)
    result = engine.run(make_visits({"intermediary_id": None}, {"intermediary_id": "AG7"}))
    present = result.features["intermediary_present"].to_numpy()
    assert np.isnan(present[0]) and present[1] == 1.0


def test_the_scoring_worked_example_of_the_readme(engine):
    # README "How a visit is scored": documents held (seen and told), debt, a 66-hour week
    visit = {"employer_holds_documents": True, "debt_to_employer": True,
             "avg_weekly_hours": 66}
    result, tier, score, fired = screen(engine, visit)
    assert fired == ["ILO-FL07-DOCUMENTS", "ILO-FL09-DEBT", "ILO-FL11-OVERTIME",
                     "EC-D2D5-COERCION"]
    assert result.corroborating(0) == ["EC-D2D5-COERCION"]  # documents + debt, counted above
    assert score == 4 + 3.5 + 2  # documents, debt, overtime: each fact once
    assert tier == "high"  # three distinct ILO indicators, strong ones among them


def test_readme_quotes_the_catalogues_tier_policy():
    from pathlib import Path

    readme = Path(__file__).parents[2].joinpath("README.md").read_text(encoding="utf-8")
    assert "tier_policy" in readme and "How a visit is scored" in readme
    for phrase in ("a probable victim", "two or more *distinct* ILO forced-labour indicators",
                   "any single ILO forced-labour indicator", "labour-law violations alone"):
        assert phrase in readme, phrase


def test_explain_lists_corroborating_indicators_and_items_never_asked(engine):
    from screening.outputs.explain import explanation
    from screening.pipeline import screen_frames

    visits = make_visits({"employer_holds_documents": True, "debt_to_employer": True})
    interviews = make_interviews({"visit_id": "V1", "deceived_about_job": True,
                                  "threatened": False})
    data = explanation(screen_frames(visits, interviews, engine=engine), engine, "V1")
    corroborating = {f["id"] for f in data["fired"] if f["corroborating"]}
    assert "EC-D2D5-COERCION" in corroborating and "ILO-FL07-DOCUMENTS" not in corroborating
    (worker,) = data["workers"]
    assert worker["icls"] == "unknown"
    assert "ICLS-CO-DOCUMENTS" in worker["never_asked"]
    assert "ICLS-IV-DECEIVED" not in worker["never_asked"]  # answered
    assert "ICLS-CO-THREATS" not in worker["never_asked"]  # answered "no"


def _count_once_visit_by_visit(scoring, fired_row, present_row):
    """The rule of :meth:`Scoring.count_once` written out for one visit."""
    used, counted = set(), np.zeros_like(fired_row)
    for j in scoring.order:
        if not fired_row[j]:
            continue
        facts = {int(f) for f in scoring.fact_columns[j]}
        mine = {f for f in facts if present_row[f]} or facts
        if not mine & used:
            counted[j] = True
            used |= mine
    return counted


def test_counting_once_matches_the_rule_written_out_visit_by_visit(engine):
    scoring = engine.scoring
    rng = np.random.default_rng(7)
    n, k = 400, len(scoring.order)
    fired = rng.random((n, k)) < 0.15
    present = rng.random((n, scoring.n_facts)) < 0.4
    got = scoring.count_once(np.asfortranarray(fired), present)
    want = np.array([_count_once_visit_by_visit(scoring, fired[i], present[i])
                     for i in range(n)])
    assert (np.count_nonzero(fired, axis=1) > 1).sum() > 100  # the ordered path is exercised
    assert (got == want).all()
    assert got.sum() < fired.sum()  # some fired indicators only corroborate
