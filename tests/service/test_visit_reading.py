"""What the visit page and the list read about stored visits: the stored records typed as an
upload, the evidence rendered again (the same sentences as stored, or in Azerbaijani), the risk
score against the model's thresholds, and a typed review's checks."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.app import create_app
from screening.service.follow_up import follow_up_list
from screening.service.reasons import raised_by_model, render_again, stored_frames
from screening.service.review_checks import FIELDS, check_review
from screening.service.uploads import UploadedFile, accept_upload
from screening.service.visit_reading import read_visit, risk_reading, selection_reading
from screening.settings import PROJECT_ROOT, Settings
from screening.store import create_user
from screening.store.frames import stored_frames as validated_frames

EXAMPLES = PROJECT_ROOT / "examples"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """examples/ stored and screened by the rules alone."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("reading"), active_model=""))
    svc = app.state.services
    user, _ = create_user(svc.engine, "inspector", "inspector")
    accept_upload(svc, user, UploadedFile("visits.csv", (EXAMPLES / "visits.csv").read_bytes()),
                  UploadedFile("interviews.csv", (EXAMPLES / "interviews.csv").read_bytes()))
    return svc


def test_stored_frames_are_typed_as_a_validated_upload(services):
    """Read for a few visits through Arrow without validating again, the frames have the
    dtypes and values that validating the whole store gives."""
    wanted = ["V0000241", "V0000027", "V0000001"]
    visits, interviews = stored_frames(services.engine, wanted)
    all_visits, all_interviews = validated_frames(services.engine)
    expected_v = all_visits[all_visits["visit_id"].isin(wanted)].reset_index(drop=True)
    expected_i = all_interviews[all_interviews["visit_id"].isin(wanted)].reset_index(drop=True)
    assert sorted(visits["visit_id"]) == sorted(wanted)
    assert len(interviews) == len(expected_i) > 0
    order_v = visits.sort_values("visit_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(order_v, expected_v.sort_values("visit_id")
                                  .reset_index(drop=True)[list(order_v.columns)])
    pd.testing.assert_frame_equal(
        interviews.sort_values(["visit_id", "worker_ref"]).reset_index(drop=True),
        expected_i.sort_values(["visit_id", "worker_ref"]).reset_index(drop=True)
        [list(interviews.columns)])


def test_evidence_rendered_again_is_the_stored_reasons(services):
    """Rules only: the sentences rendered again, joined, are exactly the stored reasons, for
    every stored visit; and the rules' tier is the stored tier."""
    rows = follow_up_list(services.engine, per_page=300)["visits"]
    assert len(rows) == 300
    rendered = render_again(services.engine, services.rules("en"), rows)
    for row in rows:
        again = rendered[row["visit_id"]]
        assert " ".join(text for _, text in again.sentences) == row["reasons"], row["visit_id"]
        assert [i for i, _ in again.sentences] == [i for i in row["indicators"].split(";") if i]
        assert again.rules_tier == row["tier"]


def test_evidence_rendered_again_in_azerbaijani(services):
    rows = [r for r in follow_up_list(services.engine, per_page=300)["visits"]
            if "ILO-FL07-DOCUMENTS" in r["indicators"].split(";")][:1]
    rendered = render_again(services.engine, services.rules("az"), rows)[rows[0]["visit_id"]]
    sentence = dict(rendered.sentences)["ILO-FL07-DOCUMENTS"]
    assert "sənəd" in sentence and sentence not in rows[0]["reasons"]


def test_a_visit_whose_record_cannot_be_rendered_gets_no_sentences(services, monkeypatch):
    import screening.service.reasons as reasons

    def broken(*_args, **_kwargs):
        raise ValueError("the store is gone")

    monkeypatch.setattr(reasons, "stored_frames", broken)
    rows = [{"visit_id": "V0000001", "indicators": "LAW-NO-CONTRACT"}]
    found = render_again(services.engine, services.rules("en"), rows)["V0000001"]
    assert found.sentences == [] and found.rules_tier is None
    assert raised_by_model("high", found.rules_tier) is False


@pytest.mark.parametrize("score, band", [
    (0.06, "at_or_above"), (1 / 34, "at_or_above"), (0.0294, "between"), (0.0199, "between"),
    (0.0198, "below"), (0.0, "below"),
])
def test_the_risk_band_follows_the_models_threshold_and_base_rate(services, score, band):
    """models/default: escalation threshold 1/34 = 0.0294, training prevalence 0.0199."""
    found = risk_reading(services, score, "default")
    assert found["band"] == band
    assert found["threshold"] == pytest.approx(1 / 34)
    assert found["base_rate"] == pytest.approx(0.0199)
    assert found["scored"] == 0 and found["share_lower"] is None  # the store is rules only


def test_no_risk_reading_without_a_model_and_unknown_band_without_a_card(services):
    assert risk_reading(services, None, None) is None
    assert risk_reading(services, 0.5, "no-such-model")["band"] == "unknown"


@pytest.mark.parametrize("screening, kind", [
    ({"tier": "urgent", "selected": False, "exploration": False}, "referral"),
    ({"tier": "low", "selected": True, "exploration": True}, "exploration"),
    ({"tier": "high", "selected": True, "exploration": False}, "selected"),
    ({"tier": "medium", "selected": False, "exploration": False}, "below"),
])
def test_selection_reading(screening, kind):
    assert selection_reading(screening)["kind"] == kind


def test_read_visit_lists_the_unknown_inputs_by_table(services):
    read = read_visit(services, "V0000241", "en")
    unchecked = {u["id"]: u["inputs"] for u in read["unchecked"]}
    assert unchecked["ILO-FL07-DOCUMENTS"] == [
        {"table": "visits", "column": "employer_holds_documents", "name": ""}]
    assert unchecked["ILO-FL02-DECEPTION"] == [
        {"table": "interviews", "column": "deceived_about_pay", "name": "Deceived about pay"},
        {"table": "interviews", "column": "longer_than_agreed",
         "name": "Work for longer than agreed"},
        {"table": "interviews", "column": "other_employer_than_agreed",
         "name": "Work for another employer than agreed"},
    ]
    assert read["site"]["employer_id"] == "1000079190"
    assert read["site"]["notes"] == "Workers say they owe the recruiter for travel and housing."
    assert [h["visit_id"] for h in read["earlier"]] == ["V0000278", "V0000243", "V0000198",
                                                          "V0000194"]


def test_check_review_keeps_every_field_as_typed():
    checked = check_review(status="decided", scheduled_for="2025-13-40", inspector="A\nB",
                           outcome="", notes="  kept as typed  ")
    assert sorted(checked.problems) == ["inspector", "outcome", "scheduled_for"]
    assert checked.first_problem() == "scheduled_for"
    assert checked.typed == {"status": "decided", "scheduled_for": "2025-13-40",
                             "inspector": "A\nB", "outcome": "", "notes": "  kept as typed  "}
    assert list(checked.typed) == list(FIELDS)
    good = check_review(status="scheduled", scheduled_for="2025-06-02", notes="  x ")
    assert good.ok and str(good.scheduled_for) == "2025-06-02" and good.value("notes") == "x"
    assert good.value("inspector") is None


def test_rendered_evidence_is_kept_per_visit_version_and_language(services, monkeypatch):
    import screening.service.reasons as reasons

    rows = follow_up_list(services.engine, per_page=5)["visits"]
    first = render_again(services.engine, services.rules("az"), rows)
    monkeypatch.setattr(reasons, "stored_frames", lambda *_: 1 / 0)  # not read again
    again = render_again(services.engine, services.rules("az"), rows)
    assert again == first and any(r.sentences for r in again.values())
    other = {**rows[0], "version": rows[0]["version"] + 1}  # a correction: read again
    assert render_again(services.engine, services.rules("az"), [other]) == {
        other["visit_id"]: reasons.Rendered()}
