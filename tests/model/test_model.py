"""The classifier's lifecycle: calibration, escalation, safe versioned loading, the CLI."""

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.utils.estimator_checks import parametrize_with_checks

from screening.cli import main
from screening.datasets.synthetic import generate
from screening.model import versions
from screening.model.classifier import FeatureSelector, feature_frame, model_features
from screening.model.training import train
from screening.pipeline import screen_frames

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data():
    return generate(8_000, seed=5, prevalence=0.03)


@pytest.fixture(scope="module")
def trained(data, engine):
    return train(data.visits, data.interviews, data.outcomes, engine=engine, seed=1)


@pytest.fixture()
def models(tmp_path, trained, catalogue):
    """A models folder with one saved version, 'v1'."""
    model, report = trained
    versions.save(model, report, catalogue, tmp_path / "v1", synthetic=True)
    return tmp_path


def test_calibration_improves_brier_over_the_uncalibrated_booster(trained):
    _, report = trained
    p = report.probability
    assert p["brier"] < p["brier_uncalibrated"]
    assert p["brier"] < p["brier_prevalence_baseline"]


def test_the_four_orderings_side_by_side(trained):
    _, report = trained
    table = report.at_capacity.set_index("ordering")
    assert list(table.index) == ["random", "rules only (tier, rule score)",
                                 "model only (risk score)", "combined follow-up list"]
    assert table.loc["random", "lift"] == 1.0
    k = table["k"].iloc[0]
    # urgent visits go to the referral queue: k is 5% of the others
    assert report.facts["follow_up_visits"] + report.referral["visits"] == report.facts[
        "test_visits"]
    assert report.referral["visits"] > 0
    assert k == round(report.facts["follow_up_visits"] * 0.05)
    assert (table["precision@k"] <= 1).all() and (table["recall@k"] <= 1).all()
    assert table.loc["rules only (tier, rule score)", "lift"] > 3


def test_card_says_synthetic_first_and_lists_features(models, catalogue):
    card = versions.read_card(models / "v1")
    assert next(iter(card)) == "summary"
    assert card["summary"].startswith("TRAINED ON SYNTHETIC DATA")
    assert card["limitations"][0] == card["summary"]
    assert card["features"] == model_features(catalogue)
    assert "sex" not in card["features"] and "region" not in card["features"]
    assert "share_foreign_without_permit" in card["vulnerability_features"]
    assert card["catalogue_fingerprint"] == catalogue.fingerprint
    assert len(card["training_data"]["data_fingerprint"]) == 64
    assert set(card["plots"]) == set(versions.PLOTS)
    for plot in card["plots"]:
        assert (models / "v1" / plot).read_bytes()[:4] == b"\x89PNG"


def test_load_round_trip_scores_the_same(models, trained, catalogue, data, engine):
    model, _ = trained
    loaded = versions.load("v1", catalogue, base=models)
    result = engine.run(data.visits.head(500), data.interviews[
        data.interviews["visit_id"].isin(data.visits["visit_id"].head(500))])
    frame = feature_frame(data.visits.head(500), result, catalogue)
    np.testing.assert_allclose(loaded.risk_score(frame), model.risk_score(frame))


def test_tampered_model_file_is_refused(models, catalogue):
    path = models / "v1" / versions.MODEL_FILE
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(versions.ModelError, match="does not match its card"):
        versions.load("v1", catalogue, base=models)


def test_card_with_wrong_features_is_refused(models, catalogue):
    card_path = models / "v1" / versions.CARD_FILE
    card = json.loads(card_path.read_text())
    card["features"] = [*card["features"][:-1], "a_feature_the_catalogue_lacks"]
    card_path.write_text(json.dumps(card))
    with pytest.raises(versions.ModelError, match="do not match the indicator catalogue"):
        versions.load("v1", catalogue, base=models)


def test_other_scikit_learn_version_is_refused_and_patch_warns(models, catalogue):
    card_path = models / "v1" / versions.CARD_FILE
    card = json.loads(card_path.read_text())
    card["libraries"]["numpy"] = "0.0.1"
    card_path.write_text(json.dumps(card))
    with pytest.warns(UserWarning, match="numpy 0.0.1"):
        versions.load("v1", catalogue, base=models)
    card["libraries"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    with pytest.raises(versions.ModelError, match="scikit-learn 0.24.2"):
        versions.load("v1", catalogue, base=models)


@pytest.mark.parametrize("where", ["../outside", "/tmp", "v1/../../elsewhere"])
def test_never_loads_from_outside_the_models_folder(models, catalogue, where):
    with pytest.raises(versions.ModelError, match="only from folders inside the models folder"):
        versions.load(where, catalogue, base=models)


def test_a_folder_without_card_is_refused(models, catalogue):
    (models / "empty").mkdir()
    with pytest.raises(versions.ModelError, match="has no card.json"):
        versions.load("empty", catalogue, base=models)


def test_model_escalates_never_demotes_never_to_urgent(trained, data, engine):
    model, _ = trained
    rules = screen_frames(data.visits, data.interviews, engine=engine)
    with_model = screen_frames(data.visits, data.interviews, engine=engine, model=model)
    order = ["low", "medium", "high", "urgent"]
    before = rules.follow_up.set_index("visit_id")["tier"].map(order.index)
    after = with_model.follow_up.set_index("visit_id")["tier"].map(order.index)
    after = after.loc[before.index]
    assert (after >= before).all(), "a model never demotes"
    assert ((after - before) <= 1).all(), "at most one tier"
    assert not ((after == 3) & (before < 3)).any(), "never makes a visit urgent"
    raised = with_model.follow_up[with_model.follow_up["visit_id"].isin(
        before.index[after > before])]
    assert raised["reasons"].str.contains("risk score").all()
    assert with_model.follow_up["risk_score"].between(0, 1).all()


def test_feature_selector_is_a_scikit_learn_transformer():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]})
    selector = FeatureSelector(columns=["b"]).fit(frame)
    assert selector.transform(frame).tolist() == [[2.0], [3.0]]
    with pytest.raises(ValueError, match="lacks the feature column"):
        selector.transform(frame.rename(columns={"b": "c"}))


@parametrize_with_checks([FeatureSelector()])
def test_feature_selector_passes_scikit_learn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        check(estimator)


def test_cli_train_models_and_screen_with_a_model(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(tmp_path / "models"))
    runner = CliRunner()
    data = generate(6_000, seed=8, prevalence=0.03)
    from screening.datasets.synthetic import write

    paths = write(data, tmp_path / "in", "parquet")
    trained = runner.invoke(main, ["train", "--visits", str(paths["visits"]), "--interviews",
                                   str(paths["interviews"]), "--outcomes",
                                   str(paths["outcomes"]), "--out", "mine"])
    assert trained.exit_code == 0, trained.output
    assert "combined follow-up list" in trained.output
    listed = runner.invoke(main, ["models"])
    assert "mine" in listed.output and listed.exit_code == 0
    again = runner.invoke(main, ["train", "--visits", str(paths["visits"]), "--outcomes",
                                 str(paths["outcomes"]), "--out", "mine"])
    assert again.exit_code == 2 and "exists already" in again.output
    out = tmp_path / "list.csv"
    screened = runner.invoke(main, ["screen", str(paths["visits"]), "--interviews",
                                    str(paths["interviews"]), "--model", "mine", "--out",
                                    str(out)])
    assert screened.exit_code == 0, screened.output
    ranked = pd.read_csv(out)
    assert ranked["risk_score"].notna().all()
    urgent = ranked["tier"] == "urgent"
    assert urgent.any() and not ranked.loc[urgent, "selected"].any()
    assert ranked["selected"].sum() == round((~urgent).sum() * 0.05)
    evaluated = runner.invoke(main, ["evaluate", "--model", "mine", "--visits",
                                     str(paths["visits"]), "--interviews",
                                     str(paths["interviews"]), "--outcomes",
                                     str(paths["outcomes"])])
    assert evaluated.exit_code == 0, evaluated.output
    assert "model only (risk score)" in evaluated.output
    refused = runner.invoke(main, ["screen", str(paths["visits"]), "--model", "../../etc"])
    assert refused.exit_code == 2 and "inside the models folder" in refused.output


def test_shipped_default_model_loads_and_make_run_shows_risk_scores(catalogue, tmp_path):
    """What `make run` does: the sample screened with models/default has risk scores."""
    assert (ROOT / "models" / "default" / "card.json").exists()
    versions.load("default", catalogue, base=ROOT / "models")
    out = tmp_path / "follow-up.csv"
    result = CliRunner().invoke(main, [
        "screen", str(ROOT / "examples" / "visits.csv"), "--interviews",
        str(ROOT / "examples" / "interviews.csv"), "--model", "default", "--out", str(out)])
    assert result.exit_code == 0, result.output
    ranked = pd.read_csv(out)
    assert ranked["risk_score"].notna().all()
    assert "risk" in result.output


def test_evaluate_on_a_fresh_synthetic_set_prints_the_table():
    result = CliRunner().invoke(main, ["evaluate", "--synthetic", "6000", "--seed", "2",
                                       "--prevalence", "0.03"])
    assert result.exit_code == 0, result.output
    for name in ("random", "rules only", "model only", "combined follow-up list", "PR AUC",
                 "Brier", "recall@k by sector", "recall@k by region", "Exploration slots",
                 "Referral queue (urgent visits", "recall with referrals",
                 "recall@k of the follow-ups at 1, 2, 5 and 10 %"):
        assert name in result.output


def test_the_card_reports_the_referral_queue_and_recall_at_four_capacities(models, trained):
    _, report = trained
    card = versions.read_card(models / "v1")
    queue = card["metrics"]["referral_queue"]
    assert queue == report.referral and queue["visits"] > 0
    assert 0 < queue["forced_labour"] <= queue["visits"]
    grid = card["metrics"]["recall_at_capacities"]
    assert [row["capacity"] for row in grid] == [0.01, 0.02, 0.05, 0.10]
    for row in grid:
        best = max(row["rules only (tier, rule score)"], row["model only (risk score)"])
        assert row["combined >= best"] == (row["combined follow-up list"] >= best - 1e-12)


@pytest.mark.parametrize("seed", [3])
def test_the_combined_list_is_never_worse_than_rules_or_model_alone(engine, seed):
    """The issue's requirement, on fresh synthetic data as `screening evaluate --synthetic
    100000 --seed 3` makes it: at 1, 2, 5 and 10 % of the visits that are not urgent, the
    combined follow-up list catches at least as much as the better of rules only and model
    only (it did not when the rule score broke ties of the risk score: 0.976 < 0.982 at 1 %)."""
    data = generate(100_000, seed=seed, prevalence=0.02)
    _, report = train(data.visits, data.interviews, data.outcomes, engine=engine, seed=seed)
    grid = report.recall_grid.set_index("capacity")
    assert list(grid.index) == [0.01, 0.02, 0.05, 0.10]
    assert grid["combined >= best"].all(), grid.to_string()
    assert grid.loc[0.01, "combined follow-up list"] >= grid.loc[0.01,
                                                                 "model only (risk score)"]


def test_models_folder_default_is_the_project(monkeypatch):
    monkeypatch.delenv("SCREENING_MODELS_DIR", raising=False)
    assert versions.models_dir() == ROOT / "models"
    shutil.rmtree(ROOT / "models" / "__pycache__", ignore_errors=True)


def test_inverse_selection_weights(data, engine):
    with pytest.raises(ValueError, match="selection_probability"):
        train(data.visits, data.interviews, data.outcomes, engine=engine, ipw=True)
    outcomes = data.outcomes.assign(selection_probability=0.5)
    model, report = train(data.visits, data.interviews, outcomes, engine=engine, ipw=True)
    assert report.facts["ipw"] is True
    assert 0 <= report.probability["brier"] < report.probability["brier_prevalence_baseline"]


def test_explain_says_when_the_model_raised_a_visit(trained, data, engine):
    import dataclasses

    from rich.console import Console

    from screening.cli.render import explain_visit
    from screening.outputs.explain import explanation

    model = dataclasses.replace(trained[0], escalation_threshold=0.02)  # escalate readily
    screening = screen_frames(data.visits, data.interviews, engine=engine, model=model)
    raised = np.flatnonzero(screening.escalated)
    assert len(raised), "with this threshold the model escalates some visits"
    visit_id = str(screening.visits["visit_id"].iloc[raised[0]])
    assert explanation(screening, engine, visit_id)["escalated"] is True
    console = Console(width=200, record=True)
    for part in explain_visit(screening, engine, visit_id):
        console.print(part)
    assert "The model raised this visit one tier" in console.export_text()
