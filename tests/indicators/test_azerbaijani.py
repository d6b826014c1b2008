"""Every Azerbaijani text differs from its English one (ids and acronyms aside), and the
terminology the inspectors use: "yoxlama" for an inspection visit, different words for withheld
wages and withheld documents, "ICLS" as on the pages, evidence words translated."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from indicators.schema import Text
from screening.rules.catalogue import load_catalogue
from screening.rules.engine import RuleEngine
from screening.web.i18n import STRINGS
from tests.conftest import make_interviews, make_visits

CATALOGUE = load_catalogue()
#: A text made only of ids, acronyms, numbers and placeholders needs no translation.
UNTRANSLATABLE = re.compile(r"^[\sA-Z0-9\-_.,:;/()%{}·–]*$")
#: Page strings that are the same word in both languages (a loanword), with the reason.
SAME_WORD = {
    "nav_model": "'Model' is the Azerbaijani word too",
    "model_title": "'Model' is the Azerbaijani word too",
    "role_admin": "'administrator' is the Azerbaijani word too",
    "token": "'Token' is the term the API documentation uses in Azerbaijani too",
    "region": "'Region' is the Azerbaijani word too (the pages say 'Regionlar üzrə')",
}


def _untranslatable(text: str) -> bool:
    return bool(UNTRANSLATABLE.match(re.sub(r"\{[a-z_]+(:[a-z0-9]+)?\}", "", text)))


def _texts(obj: object, where: str) -> Iterator[tuple[str, Text]]:
    if isinstance(obj, Text):
        yield where, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _texts(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, list | tuple):
        for k, item in enumerate(obj):
            yield from _texts(item, f"{where}[{k}]")


CATALOGUE_TEXTS = [
    *_texts(CATALOGUE.settings, "catalogue.yaml"),
    *(t for group in CATALOGUE.groups for t in _texts(group, group.group)),
]


@pytest.mark.parametrize(("where", "text"), CATALOGUE_TEXTS, ids=[w for w, _ in CATALOGUE_TEXTS])
def test_catalogue_azerbaijani_differs_from_english(where: str, text: Text) -> None:
    if _untranslatable(text.en):
        return
    assert text.az.strip() != text.en.strip(), f"{where}: Azerbaijani equals English: {text.en!r}"


def test_page_strings_azerbaijani_differ_from_english() -> None:
    same = [key for key, (en, az) in STRINGS.items()
            if en.strip() == az.strip() and not _untranslatable(en) and key not in SAME_WORD]
    assert not same, f"Page strings not translated: {same}"


def test_every_legal_reference_is_in_both_languages() -> None:
    refs = [ind.spec.legal_reference for ind in CATALOGUE.indicators if ind.spec.legal_reference]
    assert refs and all(isinstance(r, Text) and r.az != r.en for r in refs)


def _all_az() -> str:
    return " ".join(t.az for _, t in CATALOGUE_TEXTS) + " " + " ".join(
        az for _, az in STRINGS.values())


def test_an_inspection_visit_is_yoxlama() -> None:
    assert "ziyarət" not in _all_az().lower()
    assert "yoxlama" in _all_az().lower()


def test_icls_is_called_icls() -> None:
    assert "ƏSBK" not in _all_az()


def test_withheld_wages_and_withheld_documents_are_different_words() -> None:
    wages = CATALOGUE.get("ILO-FL08-WAGES").spec.name.az
    documents = CATALOGUE.get("ILO-FL07-DOCUMENTS").spec.name.az
    assert wages.split()[-1] != documents.split()[-1], (wages, documents)
    assert "saxlan" not in wages.lower()


def test_evidence_says_unknown_in_azerbaijani() -> None:
    # an unknown count rendered into an Azerbaijani sentence: "naməlum", never "unknown"
    engine = RuleEngine(CATALOGUE, lang="az")
    visits = make_visits({"foreign_workers": 4, "foreign_workers_without_permit": 3,
                          "below_minimum_wage": True})
    visits["foreign_workers"] = visits["foreign_workers"].astype("Float64")
    visits.loc[0, "foreign_workers"] = None
    result = engine.run(visits, make_interviews({"visit_id": "V1", "age": 30}))
    reasons = result.reasons[0]
    assert "naməlum" in reasons and "unknown" not in reasons
