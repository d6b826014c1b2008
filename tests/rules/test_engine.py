"""The engine on a small hand-written catalogue: tiers, sector variants, evidence, unknowns."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators import DATA_DIR
from screening.rules.catalogue import load_catalogue
from screening.rules.engine import RuleEngine
from tests.conftest import make_interviews, make_visits

GROUP = """
group: test
title: {en: Test, az: Test}
indicators:
  - id: T-NOCONTRACT
    name: {en: No contract, az: Müqavilə yoxdur}
    description: {en: d, az: d}
    frameworks: [{framework: AZ-LAW, ref: Art. 12, sources: [s38]}]
    rule: "workers_without_contract >= 1"
    weight: 2
    kind: labour-law
    evidence:
      - text:
          en: "{workers_without_contract} of {workers_present} workers
            ({share_without_contract:pct}) have no contract."
          az: "az"
    examples: {positive: [{workers_without_contract: 1}], negative: [{}]}
  - id: T-HOURS
    name: {en: Hours, az: Saatlar}
    description: {en: d, az: d}
    frameworks: [{framework: ILO-11, ref: FL11, sources: [s1]}]
    rule: "avg_weekly_hours > 60"
    weight: 3
    kind: forced-labour
    strength: strong
    evidence:
      - text: {en: "Average week of {avg_weekly_hours:1} hours.", az: "az"}
    examples: {positive: [{avg_weekly_hours: 70}], negative: [{}]}
  - id: T-DOCS
    name: {en: Documents, az: Sənədlər}
    description: {en: d, az: d}
    frameworks: [{framework: ILO-11, ref: FL07, sources: [s1]}]
    rule: "employer_holds_documents == true or workers_docs_withheld >= 1"
    weight: 5
    kind: forced-labour
    strength: strong
    evidence:
      - when: "employer_holds_documents == true"
        text: {en: "The employer holds documents.", az: "az"}
      - when: "workers_docs_withheld >= 1"
        text:
          en: "{workers_docs_withheld} of {interviews} interviewed workers lack their documents."
          az: "az"
    examples: {positive: [{employer_holds_documents: true}], negative: [{}]}
  - id: T-VIOLENCE
    name: {en: Violence, az: Zorakılıq}
    description: {en: d, az: d}
    frameworks: [{framework: ILO-11, ref: FL05, sources: [s1]}]
    rule: "violence_observed == true"
    weight: 4
    kind: forced-labour
    tier: urgent
    evidence:
      - text: {en: "Violence was observed.", az: "az"}
    examples: {positive: [{violence_observed: true}], negative: [{}]}
  - id: T-AGRI-HOUSING
    name: {en: Housing, az: Yaşayış}
    description: {en: d, az: d}
    frameworks: [{framework: ILO-11, ref: FL10, sources: [s1]}]
    sectors: [agriculture]
    rule: "living_on_site == true"
    weight: 1
    kind: risk-pattern
    evidence:
      - text: {en: "Workers live on the farm.", az: "az"}
    examples: {positive: [{living_on_site: true, sector: agriculture}], negative: [{}]}
  - id: T-DOCS-SITE
    name: {en: Documents seen, az: Sənədlər görülüb}
    description: {en: d, az: d}
    frameworks: [{framework: GLAA, ref: "3.2", sources: [s10]}]
    rule: "employer_holds_documents == true"
    weight: 2
    kind: risk-pattern
    evidence:
      - text: {en: "Documents seen in the office.", az: "Sənədlər ofisdə görülüb."}
    examples: {positive: [{employer_holds_documents: true}], negative: [{}]}
  - id: T-WAGES
    name: {en: Wages, az: Əmək haqqı}
    description: {en: d, az: d}
    frameworks: [{framework: ILO-11, ref: FL08, sources: [s1]}]
    rule: "wage_arrears_months >= 2"
    weight: 2.5
    kind: forced-labour
    strength: medium
    evidence:
      - text: {en: "Wages {wage_arrears_months} months late.", az: "az"}
    examples: {positive: [{wage_arrears_months: 3}], negative: [{}]}
"""


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogue")
    shutil.copy(DATA_DIR / "catalogue.yaml", folder / "catalogue.yaml")
    shutil.copy(DATA_DIR / "icls-2018.yaml", folder / "icls-2018.yaml")
    (folder / "test.yaml").write_text(GROUP, encoding="utf-8")
    cat = load_catalogue(folder)
    # the bundled ICLS site indicator stays; everything else is ours
    assert [i.id for i in cat.site] == [
        "ICLS-FL-WORKERS",
        "T-NOCONTRACT",
        "T-HOURS",
        "T-DOCS",
        "T-VIOLENCE",
        "T-AGRI-HOUSING",
        "T-DOCS-SITE",
        "T-WAGES",
    ]
    return RuleEngine(cat)


CASES = [
    ("nothing", {}, 0, "low", ""),
    ("labour-law alone is low", {"workers_without_contract": 3}, 2, "low", "T-NOCONTRACT"),
    (
        "one forced-labour indicator is medium",
        {"workers_without_contract": 3, "avg_weekly_hours": 61},
        5,
        "medium",
        "T-HOURS;T-NOCONTRACT",
    ),
    (
        "two distinct with a strong one is high; the same fact again corroborates",
        {"employer_holds_documents": True, "avg_weekly_hours": 70},
        8,  # T-DOCS-SITE (2) observes the documents fact T-DOCS counted: adds nothing
        "high",
        "T-DOCS;T-HOURS;T-DOCS-SITE",
    ),
    (
        "two distinct medium-strength ones stay medium",
        {"wage_arrears_months": 4},
        2.5,
        "medium",
        "T-WAGES",
    ),
    (
        "a strong and a medium one are high",
        {"wage_arrears_months": 4, "avg_weekly_hours": 72},
        5.5,
        "high",
        "T-HOURS;T-WAGES",
    ),
    ("urgent floor", {"violence_observed": True}, 4, "urgent", "T-VIOLENCE"),
    (
        "sector variant fires",
        {"sector": "agriculture", "living_on_site": True},
        1,
        "low",
        "T-AGRI-HOUSING",
    ),
    (
        "sector variant silent elsewhere",
        {"sector": "services", "living_on_site": True},
        0,
        "low",
        "",
    ),
    (
        "unknown is not false",
        {"employer_holds_documents": pd.NA, "avg_weekly_hours": np.nan},
        0,
        "low",
        "",
    ),
    ("exactly 60 hours", {"avg_weekly_hours": 60}, 0, "low", ""),
]


@pytest.mark.parametrize("name, visit, score, tier, fired", CASES, ids=[c[0] for c in CASES])
def test_tier_and_score(small_engine, name, visit, score, tier, fired):
    result = small_engine.run(make_visits(visit))
    assert result.rule_score[0] == score
    assert result.tier[0] == tier
    assert result.indicators[0] == fired


def test_all_cases_in_one_vectorised_batch(small_engine):
    visits = make_visits(*[c[1] for c in CASES])
    result = small_engine.run(visits)
    assert result.tier.tolist() == [c[3] for c in CASES]
    assert result.rule_score.tolist() == [c[2] for c in CASES]


def test_evidence_only_for_fired_cells_and_only_true_clauses(small_engine):
    visits = make_visits(
        {"workers_without_contract": 3, "workers_present": 12},
        {"employer_holds_documents": True},
        {},
    )
    interviews = make_interviews(
        {"visit_id": "V2", "holds_own_documents": False},
        {"visit_id": "V2", "holds_own_documents": True},
        {"visit_id": "V3", "holds_own_documents": False},
    )
    result = small_engine.run(visits, interviews)
    assert len(result.evidence) == int(result.fired.to_numpy().sum())
    assert result.corroborating(1) == ["T-DOCS-SITE"] and result.corroborating(0) == []
    ev = result.evidence.set_index(["row", "indicator"])["text"]
    assert ev[(0, "T-NOCONTRACT")] == "3 of 12 workers (25%) have no contract."
    assert ev[(1, "T-DOCS")] == (
        "The employer holds documents. 1 of 2 interviewed workers lack their documents."
    )
    # visit 3: only the interview clause holds, so only its sentence is shown
    assert ev[(2, "T-DOCS")] == "1 of 1 interviewed workers lack their documents."
    assert result.reasons[2] == "1 of 1 interviewed workers lack their documents."


def test_reasons_strongest_first(small_engine):
    visits = make_visits(
        {"violence_observed": True, "workers_without_contract": 1, "employer_holds_documents": True}
    )
    result = small_engine.run(visits)
    assert result.indicators[0] == "T-VIOLENCE;T-DOCS;T-NOCONTRACT;T-DOCS-SITE"
    assert result.reasons[0].startswith("Violence was observed. The employer holds documents.")


def test_decimal_and_percent_rendering(small_engine):
    result = small_engine.run(make_visits({"avg_weekly_hours": 72.46}))
    assert result.reasons[0] == "Average week of 72.5 hours."


def test_azerbaijani_evidence(tmp_path):
    engine = RuleEngine(lang="az")
    visits = make_visits({})
    interviews = make_interviews(
        {"visit_id": "V1", "deceived_about_job": True, "holds_own_documents": False}
    )
    result = engine.run(visits, interviews)
    assert "ICLS 2018 məcburi əmək meyarına cavab verir" in result.reasons[0]


def test_unknown_language_refused():
    with pytest.raises(ValueError, match="must be 'en' or 'az'"):
        RuleEngine(lang="fr")


def test_interviews_for_missing_visits_refused(small_engine):
    with pytest.raises(ValueError, match="not in the batch"):
        small_engine.run(make_visits({}), make_interviews({"visit_id": "NOPE"}))


def test_empty_batch(small_engine):
    result = small_engine.run(make_visits({}).iloc[0:0])
    assert len(result.tier) == 0 and len(result.evidence) == 0


def test_data_dir_is_packaged():
    assert (Path(DATA_DIR) / "catalogue.yaml").exists()
