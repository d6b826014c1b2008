"""Meta-tests of the indicator catalogue (indicators/data) and the loader's refusals."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from indicators import DATA_DIR, CatalogueError
from screening.rules.catalogue import CompiledIndicator, load_catalogue
from screening.rules.engine import RuleEngine

CATALOGUE = load_catalogue()
SITE = CATALOGUE.site
EVERY = CATALOGUE.indicators
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(?:pct|\d))?\}")

#: Source keys in catalogue.yaml that no indicator cites, each with the reason.
INTENTIONALLY_UNUSED: dict[str, str] = {}

#: DESIGN.md: `urgent` comes from rules alone, for an ICLS-positive worker, violence, and
#: confinement with document retention or debt.
URGENT_FLOORS = {"ICLS-FL-WORKERS", "ILO-FL05-VIOLENCE", "ILO-FL-CONFINEMENT-CONTROL",
                 "CHILD-FORCED-LABOUR"}


def _id(ind: CompiledIndicator) -> str:
    return ind.id


def _frame(features: dict[str, Any]) -> pd.DataFrame:
    """A one-row feature frame; features not named are unknown."""
    if not features:
        return pd.DataFrame(index=[0])  # one row, every feature unknown
    return pd.DataFrame([features])


def _fires(ind: CompiledIndicator, features: dict[str, Any]) -> bool:
    fired = bool(ind.rule.fires(_frame(features))[0])
    if ind.spec.level == "site" and ind.spec.sectors:
        fired = fired and features.get("sector") in ind.spec.sectors
    return fired


def _applying(ind: CompiledIndicator, features: dict[str, Any]) -> list[int]:
    """Positions of the evidence clauses whose condition holds (no condition: always)."""
    frame = _frame(features)
    return [
        k for k, when in enumerate(ind.evidence_when) if when is None or bool(when.fires(frame)[0])
    ]


def _examples(kind: str) -> list[Any]:
    return [
        pytest.param(ind, example, id=f"{ind.id}-{k}")
        for ind in EVERY
        for k, example in enumerate(getattr(ind.spec.examples, kind))
    ]


# ------------------------------------------------------------------ every indicator


@pytest.mark.parametrize("ind", EVERY, ids=_id)
def test_names_and_descriptions_in_both_languages(ind: CompiledIndicator) -> None:
    for text in (ind.spec.name, ind.spec.description):
        assert text.en.strip() and text.az.strip()
        assert text.en != text.az, f"{ind.id}: the Azerbaijani text is a copy of the English one."


@pytest.mark.parametrize("ind", EVERY, ids=_id)
def test_evidence_and_framework_references(ind: CompiledIndicator) -> None:
    assert ind.spec.evidence, f"{ind.id} has no evidence text."
    assert ind.spec.frameworks, f"{ind.id} cites no framework."
    for ev in ind.spec.evidence:
        assert ev.text.en.strip() and ev.text.az.strip()
        assert sorted(PLACEHOLDER.findall(ev.text.en)) == sorted(PLACEHOLDER.findall(ev.text.az)), (
            f"{ind.id}: the English and Azerbaijani evidence name different columns."
        )


@pytest.mark.parametrize(("ind", "example"), _examples("positive"))
def test_positive_example_fires(ind: CompiledIndicator, example: dict[str, Any]) -> None:
    assert _fires(ind, example), f"{ind.id} does not fire on its positive example {example}."


@pytest.mark.parametrize(("ind", "example"), _examples("negative"))
def test_negative_example_does_not_fire(ind: CompiledIndicator, example: dict[str, Any]) -> None:
    assert not _fires(ind, example), f"{ind.id} fires on its negative example {example}."


@pytest.mark.parametrize("ind", SITE, ids=_id)
def test_evidence_explains_every_positive_example(ind: CompiledIndicator) -> None:
    for example in ind.spec.examples.positive:
        applying = _applying(ind, example)
        assert applying, f"{ind.id}: no evidence clause applies to {example}."
        for k in applying:
            text = ind.spec.evidence[k].text.en
            missing = set(PLACEHOLDER.findall(text)) - set(example)
            assert not missing, (
                f"{ind.id}: evidence {text!r} applies to {example} "
                f"but renders the unknown {missing}."
            )


@pytest.mark.parametrize("ind", SITE, ids=_id)
def test_every_evidence_clause_is_exercised(ind: CompiledIndicator) -> None:
    used = {k for example in ind.spec.examples.positive for k in _applying(ind, example)}
    unused = [ind.spec.evidence[k].when for k in range(len(ind.spec.evidence)) if k not in used]
    assert not unused, f"{ind.id}: no positive example exercises the evidence for {unused}."


@pytest.mark.parametrize("ind", [ind for ind in SITE if ind.spec.sectors], ids=_id)
def test_sector_restricted_examples_name_the_sector(ind: CompiledIndicator) -> None:
    assert ind.spec.sectors
    for example in ind.spec.examples.positive:
        assert example.get("sector") in ind.spec.sectors


def test_ids_are_unique_and_site_catalogue_is_complete() -> None:
    ids = [ind.id for ind in EVERY]
    assert len(ids) == len(set(ids))
    for number in range(1, 12):
        assert any(i.startswith(f"ILO-FL{number:02d}-") for i in ids), f"FL{number:02d} is missing."
    assert len(SITE) >= 30


def test_urgent_only_from_the_floors_design_names() -> None:
    assert {ind.id for ind in SITE if ind.spec.tier == "urgent"} == URGENT_FLOORS
    assert not [ind.id for ind in CATALOGUE.worker if ind.spec.tier or ind.spec.weight]


# ------------------------------------------------------------------ sources


def test_every_source_is_cited_or_listed_as_unused() -> None:
    cited = {key for ind in EVERY for ref in ind.spec.frameworks for key in ref.sources}
    uncited = set(CATALOGUE.settings.sources) - cited - set(INTENTIONALLY_UNUSED)
    assert not uncited, f"Sources no indicator cites: {sorted(uncited)}."
    stale = set(INTENTIONALLY_UNUSED) & cited
    assert not stale, f"Listed as unused but cited: {sorted(stale)}."
    assert set(INTENTIONALLY_UNUSED) <= set(CATALOGUE.settings.sources)


@pytest.mark.parametrize("ind", EVERY, ids=_id)
def test_unverified_sources_are_marked(ind: CompiledIndicator) -> None:
    shaky = {
        key for key, text in CATALOGUE.settings.sources.items() if "[U]" in text or "[NF]" in text
    }
    for ref in ind.spec.frameworks:
        if set(ref.sources) & shaky:
            assert not ref.verified, f"{ind.id}: '{ref.ref}' cites {ref.sources} but is verified."
        if ref.framework == "ILO-EC-2009" and ref.strength:
            # every ILO/EC strength comes from one third-party synthesis [s15]
            assert not ref.verified, f"{ind.id}: '{ref.ref}' needs verified: false."
            if Path(ind.file).name == "ilo-ec-2009.yaml":
                assert ref.note, f"{ind.id}: '{ref.ref}' needs a note on its strength's source."


# ------------------------------------------------------------------ weights and tiers


def _tier(features: dict[str, Any]) -> tuple[str, float]:
    """Rule tier and score of one visit from its features: the tier policy of catalogue.yaml
    applied by the engine (each fact counted once, floors, distinct forced-labour indicators)."""
    engine = RuleEngine(CATALOGUE)
    fired = np.array([[_fires(ind, features) for ind in SITE]])
    frame = _frame(features)
    present = np.array([[bool(rule.fires(frame)[0]) for _, rule in CATALOGUE.facts]])
    counted = engine.count_once(fired, present)
    tier = engine.tiers(fired, counted)
    return str(tier[0]), float(counted[0] @ engine.weights)


CLEAN = {
    "sector": "construction",
    "workers_present": 10,
    "workers_without_contract": 0,
    "foreign_workers": 0,
    "foreign_workers_without_permit": 0,
    "minors_present": 0,
    "avg_weekly_hours": 40,
    "wage_arrears_months": 0,
    "below_minimum_wage": False,
    "employer_holds_documents": False,
    "recruitment_fees_charged": False,
    "debt_to_employer": False,
    "premises_locked_or_guarded": False,
    "living_on_site": False,
    "accommodation_substandard": False,
    "remote_location": False,
    "threats_reported": False,
    "violence_observed": False,
    "hazardous_work": False,
    "wage_records_available": True,
    "shared_worker_details": False,
    "intermediary_present": False,
}

SCENARIOS = [
    pytest.param({}, "low", id="nothing-known"),
    pytest.param(CLEAN, "low", id="clean-site"),
    pytest.param(
        {**CLEAN, "workers_without_contract": 3, "share_without_contract": 0.3},
        "low",
        id="some-workers-without-contract",
    ),
    pytest.param(
        {
            **CLEAN,
            "workers_without_contract": 8,
            "share_without_contract": 0.8,
            "wage_records_available": False,
        },
        "low",
        id="informal-crew-no-records",
    ),
    pytest.param(
        {
            **CLEAN,
            "workers_without_contract": 4,
            "share_without_contract": 0.4,
            "wage_records_available": False,
            "below_minimum_wage": True,
            "hazardous_work": True,
        },
        "low",  # before issue 9: medium; labour-law violations alone are low
        id="several-labour-law-breaches",
    ),
    pytest.param(
        {
            "sector": "agriculture",
            "subsector": "cotton harvest",
            "living_on_site": True,
            "remote_location": True,
            "workers_present": 20,
            "workers_without_contract": 5,
        },
        "medium",
        id="remote-harvest-camp",
    ),
    pytest.param(
        {**CLEAN, "avg_weekly_hours": 70, "accommodation_substandard": True},
        "medium",
        id="long-hours-bad-housing",
    ),
    pytest.param({**CLEAN, "employer_holds_documents": True}, "medium", id="documents-alone"),
    pytest.param({**CLEAN, "premises_locked_or_guarded": True}, "medium", id="confinement-alone"),
    pytest.param(
        {**CLEAN, "employer_holds_documents": True, "debt_to_employer": True},
        "high",
        id="documents-and-debt",
    ),
    pytest.param(
        {**CLEAN, "employer_holds_documents": True, "threats_reported": True},
        "high",
        id="documents-and-threats",
    ),
    pytest.param(
        {**CLEAN, "debt_to_employer": True, "wage_arrears_months": 3},
        "high",
        id="debt-and-wage-arrears",
    ),
    pytest.param(
        {"workers_deceived": 2, "workers_threatened": 2, "interviews": 5, "icls_workers": 0},
        "high",
        id="deception-and-threats",
    ),
    pytest.param({"workers_under_15": 1, "interviews": 4}, "high", id="child-under-15"),
    pytest.param({**CLEAN, "violence_observed": True}, "urgent", id="violence"),
    pytest.param(
        {**CLEAN, "premises_locked_or_guarded": True, "employer_holds_documents": True},
        "urgent",
        id="confinement-with-documents",
    ),
    pytest.param({"icls_workers": 1, "interviews": 3}, "urgent", id="icls-positive-worker"),
]


@pytest.mark.parametrize(("features", "expected"), SCENARIOS)
def test_weights_give_sensible_tiers(features: dict[str, Any], expected: str) -> None:
    tier, score = _tier(features)
    assert tier == expected, f"score {score} gives tier {tier}, expected {expected}."


# ------------------------------------------------------------------ loader refusals

TITLE = {"en": "Test group", "az": "Sınaq qrupu"}


def _indicator(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": "TST-BAD",
        "name": {"en": "Documents held", "az": "Sənədlər saxlanılır"},
        "description": {"en": "A test indicator.", "az": "Sınaq göstəricisi."},
        "frameworks": [{"framework": "ILO-11", "ref": "FL07", "sources": ["s1"]}],
        "rule": "employer_holds_documents == true",
        "weight": 1,
        "kind": "forced-labour",
        "evidence": [{"text": {"en": "Documents are held.", "az": "Sənədlər saxlanılır."}}],
        "examples": {"positive": [{"employer_holds_documents": True}], "negative": [{}]},
    }
    spec.update(changes)
    return spec


def _catalogue(tmp_path: Path, files: dict[str, Any]) -> Path:
    """A catalogue folder: the real catalogue.yaml plus the given files (dicts are dumped)."""
    shutil.copy(DATA_DIR / "catalogue.yaml", tmp_path / "catalogue.yaml")
    for name, content in files.items():
        if not isinstance(content, str):
            content = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path


def _group(*indicators: dict[str, Any], name: str = "test") -> dict[str, Any]:
    return {"group": name, "title": TITLE, "indicators": list(indicators)}


def test_minimal_catalogue_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_catalogue(tmp_path, {"bad.yaml": _group(_indicator())}))
    assert [ind.id for ind in catalogue.site] == ["TST-BAD"]


REFUSALS = [
    pytest.param(
        {"rule": "employer_holds_document == true"},
        r"Unknown column 'employer_holds_document'\. "
        r"Did you mean 'employer_holds_documents'\?",
        id="unknown-column",
    ),
    pytest.param(
        {"rule": "workers_present >"},
        r"the rule does not compile: Expected a value",
        id="rule-does-not-parse",
    ),
    pytest.param(
        {"rule": "(employer_holds_documents == true"}, r"Expected '\)'", id="unbalanced-parenthesis"
    ),
    pytest.param({"sectors": ["mining"]}, r"Unknown sector 'mining'", id="unknown-sector"),
    pytest.param({"rule": "__import__('os')"}, r"Names starting with '__'", id="dunder-import"),
    pytest.param(
        {"rule": "employer_holds_documents.real == true"},
        r"Attribute access",
        id="attribute-access",
    ),
    pytest.param({"rule": "open('x') == true"}, r"Calling 'open' is not allowed", id="call"),
    pytest.param({"rule": "workers_present[0] > 1"}, r"Subscripts", id="subscript"),
    pytest.param({"kind": None}, r"needs 'kind'", id="no-kind"),
    pytest.param({"kind": "labour-law", "tier": "medium"},
                 r"labour-law facts alone never raise", id="labour-law-with-a-tier-floor"),
    pytest.param({"rule": "workers_present > 5"}, r"observes no fact", id="rule-without-a-fact"),
    pytest.param(
        {"frameworks": [{"framework": "ILO-11", "ref": "FL07", "sources": ["s999"]}]},
        r"unknown source key 's999'",
        id="unknown-source",
    ),
    pytest.param(
        {"evidence": [{"text": {"en": "{workers_docs} held.", "az": "{workers_docs}."}}]},
        r"unknown column '\{workers_docs\}'",
        id="unknown-placeholder",
    ),
    pytest.param(
        {
            "evidence": [
                {
                    "when": "employer_holds_documents = true",
                    "text": {"en": "Held.", "az": "Saxlanılır."},
                }
            ]
        },
        r"the evidence condition does not compile",
        id="evidence-condition",
    ),
]


@pytest.mark.parametrize(("change", "reason"), REFUSALS)
def test_loader_refuses(tmp_path: Path, change: dict[str, Any], reason: str) -> None:
    folder = _catalogue(tmp_path, {"bad.yaml": _group(_indicator(**change))})
    with pytest.raises(CatalogueError, match=rf"bad\.yaml, indicator 'TST-BAD'.*{reason}") as err:
        load_catalogue(folder)
    assert Path(err.value.file).name == "bad.yaml"
    assert err.value.indicator == "TST-BAD"


def test_loader_refuses_a_duplicate_id_across_files(tmp_path: Path) -> None:
    folder = _catalogue(
        tmp_path,
        {
            "a-first.yaml": _group(_indicator(id="TST-DUP"), name="first"),
            "b-second.yaml": _group(_indicator(id="TST-DUP"), name="second"),
        },
    )
    with pytest.raises(
        CatalogueError,
        match=r"b-second\.yaml, indicator 'TST-DUP': duplicate id; "
        r"it is also defined in .*a-first\.yaml",
    ) as err:
        load_catalogue(folder)
    assert err.value.indicator == "TST-DUP"


def test_loader_refuses_broken_yaml(tmp_path: Path) -> None:
    folder = _catalogue(
        tmp_path,
        {
            "good.yaml": _group(_indicator(id="TST-GOOD")),
            "broken.yaml": "group: broken\nindicators: [\n  - id: TST-BROKEN\n",
        },
    )
    with pytest.raises(CatalogueError, match=r"broken\.yaml: not valid YAML") as err:
        load_catalogue(folder)
    assert Path(err.value.file).name == "broken.yaml"


def test_rule_on_a_frame_without_columns() -> None:
    rule = CATALOGUE.get("ILO-FL07-DOCUMENTS").rule
    assert not rule.fires(pd.DataFrame(index=[0]))[0]
