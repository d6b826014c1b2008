"""Sources are tagged with the framework they belong to (issue 9): NGO guidance is NGO, the
national report is NATIONAL, and a text known only from a secondary page is unverified."""

from screening.rules.catalogue import load_catalogue

CATALOGUE = load_catalogue()
REFS = [(ind.id, ref) for ind in CATALOGUE.indicators for ref in ind.spec.frameworks]
#: Keys that are non-governmental organisations' pages (research/indicators.md §4).
NGO_KEYS = {"s12", "s23", "s24", "s25", "s26", "s27", "s28"}


def test_ngo_sources_are_tagged_ngo_not_unodc_or_ilo():
    # before: s12, s23, s26, s27, s28 were tagged UNODC and s24, s25 ILO-11
    wrong = [(i, r.framework, r.sources) for i, r in REFS
             if set(r.sources) & NGO_KEYS and r.framework != "NGO"]
    assert not wrong, wrong
    assert any(r.framework == "NGO" for _, r in REFS)


def test_the_national_report_is_cited_where_its_figures_are_used():
    cited = {i for i, r in REFS if r.framework == "NATIONAL" and "s47" in r.sources}
    assert {"SEC-AGR-HARVEST-MINORS", "CHILD-STREET-WORK"} <= cited
    for ind in CATALOGUE.indicators:
        if "national report" in ind.spec.description.en:
            assert ind.id in cited, f"{ind.id} uses the national report without citing it"


def test_decisions_131_and_21_are_unverified_wherever_cited():
    for i, r in REFS:
        if "s42" in r.sources:
            assert not r.verified, f"{i}: {r.ref}"
    for ind in CATALOGUE.indicators:
        ref = ind.spec.legal_reference
        if ref and "Decision No. 21" in ref.en:
            assert "unverified" in ref.en and "təsdiqlənməyib" in ref.az, ind.id


def test_glaa_is_never_presented_as_azerbaijani_law():
    for ind in CATALOGUE.indicators:
        az = ind.spec.description.az
        if "GLAA" in az:
            assert "Böyük Britaniya" in az and "Azərbaycan qanunu deyil" in az, ind.id
