"""Training on any valid upload (issue 11): optional columns absent, and a readiness check
that says how many decided outcomes of each class there are and how many are needed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from screening.cli import main
from screening.cli.common import EXIT_UNUSABLE
from screening.datasets.synthetic import generate, write
from screening.errors import NotReadyError, ScreeningError
from screening.ingest.records import VISIT_COLUMNS
from screening.model.training import MIN_PER_CLASS, check_ready, train

REQUIRED = [c.name for c in VISIT_COLUMNS if c.required]


@pytest.fixture(scope="module")
def data():
    return generate(3_000, seed=3)


def test_trains_with_every_optional_column_absent(data, tmp_path, monkeypatch):
    """Finding: 'window shape cannot be larger than input array shape' whenever an optional
    visit column was absent (an all-unknown feature reached the trees' binning)."""
    paths = write(data, tmp_path / "in", "csv")
    visits = data.visits[REQUIRED]
    visits.to_csv(paths["visits"], index=False)
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["train", "--visits", str(paths["visits"]),
                                       "--outcomes", str(paths["outcomes"]), "--out", "bare"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "models" / "bare" / "card.json").read_text())
    unknown = card["fit"]["features_unknown_in_training"]
    assert "avg_weekly_hours" in unknown and "workers_present" not in unknown
    assert any("unknown in every training visit" in line for line in card["limitations"])


def test_an_unknown_training_column_is_ignored_when_scoring(data):
    """A feature unknown throughout training is kept (the catalogue's feature list) but cannot
    move a score: scoring with or without values in it gives the same risk."""
    from screening.ingest.validation import validate_frame
    from screening.model.classifier import feature_frame
    from screening.rules.engine import rule_engine

    visits, _ = validate_frame(data.visits[REQUIRED], VISIT_COLUMNS, source="v", table="visits",
                               first_row=2)
    model, _ = train(visits, data.interviews.iloc[0:0], data.outcomes)
    engine = rule_engine("en")
    full = feature_frame(data.visits, engine.run(data.visits, data.interviews),
                         engine.catalogue)
    bare = full.copy()
    unknown = model.estimator.estimator.estimator.named_steps["select"].unknown_
    bare[unknown] = np.nan
    assert unknown
    np.testing.assert_allclose(model.risk_score(full), model.risk_score(bare))


def test_readiness_says_how_many_outcomes_of_each_class_exist_and_are_needed(data):
    outcomes = data.outcomes.head(1).assign(outcome="forced_labour")
    with pytest.raises(NotReadyError, match=rf"at least {MIN_PER_CLASS} of each class.*"
                                            r"1 forced_labour and 0 other") as caught:
        check_ready(data.visits, outcomes)
    assert isinstance(caught.value, ScreeningError)
    assert caught.value.counts == {"forced_labour": 1, "other": 0}
    assert check_ready(data.visits, data.outcomes)["other"] > MIN_PER_CLASS


def test_train_from_the_store_with_one_decided_review_says_what_is_needed(tmp_path,
                                                                          monkeypatch):
    """Finding: training from the store with one decided review ended in a traceback."""
    from screening.app import create_app
    from screening.service.uploads import UploadedFile, accept_upload
    from screening.settings import EXAMPLES_DIR, Settings
    from screening.store import create_user, record_review

    app = create_app(Settings(data_dir=tmp_path / "store"))
    svc = app.state.services
    user, _ = create_user(svc.engine, "i", "inspector")
    accept_upload(svc, user, UploadedFile("visits.csv",
                                          (EXAMPLES_DIR / "visits.csv").read_bytes()))
    record_review(svc.engine, visit_id="V0000001", status="decided", outcome="forced_labour")
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["train", "--from-store", "--out", "early"])
    assert result.exit_code == EXIT_UNUSABLE, result.output
    assert isinstance(result.exception, SystemExit)  # a one-line refusal, not a crash
    assert "1 forced_labour and 0 other" in result.output
    assert f"at least {MIN_PER_CLASS} of each class" in result.output
