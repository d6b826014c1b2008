"""Gated promotion: a candidate worse than the active model stays inactive unless forced with a
reason (kept in its card); one that is not worse becomes active for every process."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.app import create_app
from screening.cli import main
from screening.datasets.synthetic import generate
from screening.model.training import train
from screening.model.versions import read_card, save
from screening.rules.catalogue import load_catalogue
from screening.service.promotion import PromotionRefused, compare, promote
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import Settings
from screening.store import create_user, record_review, transaction
from screening.store.tables import AuditEntry
from tests.modelkit import csv_bytes


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("promotion")
    data = generate(6_000, seed=8, prevalence=0.04)
    catalogue = load_catalogue()
    good, report = train(data.visits, data.interviews, data.outcomes, seed=1)
    save(good, report, catalogue, folder / "models" / "active-one", synthetic=True)
    save(good, report, catalogue, folder / "models" / "same-again", synthetic=True)
    shuffled = data.outcomes.copy()
    shuffled["outcome"] = np.random.default_rng(0).permutation(shuffled["outcome"].to_numpy())
    bad, bad_report = train(data.visits, data.interviews, shuffled, seed=1)
    save(bad, bad_report, catalogue, folder / "models" / "noise", synthetic=True)
    settings = Settings(data_dir=folder / "store", models_dir=folder / "models",
                        active_model="active-one")
    app = create_app(settings)
    services = app.state.services
    inspector, _ = create_user(services.engine, "inspector", "inspector")
    admin, admin_token = create_user(services.engine, "boss", "admin")
    fresh = generate(1_500, seed=31, prevalence=0.08)
    visits = fresh.visits.copy()
    visits["visit_date"] = (visits["visit_date"] - visits["visit_date"].min()
                            + pd.Timestamp("2030-01-01")).dt.strftime("%Y-%m-%d")
    accept_upload(services, inspector, UploadedFile("v.csv", csv_bytes(visits)),
                  UploadedFile("i.csv", csv_bytes(fresh.interviews)))
    with transaction(services.engine) as session:  # one transaction for all the decisions
        for visit_id, outcome in fresh.outcomes[["visit_id", "outcome"]].itertuples(
                index=False):
            record_review(session, visit_id=visit_id, status="decided", outcome=outcome)
    return app, admin, admin_token, folder


def test_compare_on_visits_neither_model_has_seen(store):
    app, *_ = store
    result = compare(app.state.services, "noise")
    assert result.active == "active-one" and result.visits == 1_500
    assert result.since >= "2025-01-01" and result.positives > 50
    rows = {r["model"]: r for r in result.rows}
    assert rows["noise"]["recall@k"] < rows["active-one"]["recall@k"]
    assert result.worse == ["recall at capacity", "calibration"]


def test_a_worse_candidate_is_refused_then_forced_with_a_reason(store):
    app, admin, _, folder = store
    services = app.state.services
    with pytest.raises(PromotionRefused, match="worse than the active model 'active-one' on "
                                               "recall at capacity and calibration"):
        promote(services, "noise", admin)
    assert services.models.chosen() == "active-one"
    with pytest.raises(PromotionRefused, match="needs a written reason"):
        promote(services, "noise", admin, force=True, reason="  ")
    try:
        promote(services, "noise", admin, force=True, reason="testing the gate")
        assert services.models.chosen() == "noise"
        card = read_card(folder / "models" / "noise")
        assert card["promotion"]["reason"] == "testing the gate"
        assert card["promotion"]["by"] == "boss" and card["promotion"]["forced"] is True
        assert card["promotion"]["comparison"]["worse"] == ["recall at capacity", "calibration"]
        with transaction(services.engine, write=False) as session:
            actions = [a.action for a in session.scalars(select(AuditEntry))]
        assert "model.promote" in actions
    finally:
        services.models.choose("active-one", admin)


def test_a_candidate_that_is_not_worse_is_promoted(store):
    app, admin, token, _ = store
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/models/active", headers=headers, json={"version": "noise"})
    assert refused.status_code == 409 and "worse" in refused.json()["error"]["message"]
    compared = client.get("/api/v1/models/compare", params={"candidate": "same-again"},
                          headers=headers).json()
    assert compared["worse"] == []
    try:
        done = client.post("/api/v1/models/active", headers=headers,
                           json={"version": "same-again"})
        assert done.status_code == 200 and done.json()["active"] == "same-again"
        second = create_app(app.state.services.settings)
        assert second.state.services.models.chosen() == "same-again", "every process agrees"
    finally:
        app.state.services.models.choose("active-one", admin)


def test_the_cli_compares_and_refuses(store, monkeypatch):
    app, *_ , folder = store
    monkeypatch.setenv("SCREENING_DATA_DIR", str(folder / "store"))
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(folder / "models"))
    monkeypatch.setenv("SCREENING_ACTIVE_MODEL", "active-one")
    runner = CliRunner()
    compared = runner.invoke(main, ["models", "compare", "noise"])
    assert compared.exit_code == 0, compared.output
    assert "worse on recall at capacity and calibration" in compared.output
    refused = runner.invoke(main, ["models", "promote", "noise", "--user", "boss"])
    assert refused.exit_code == 2 and "stays inactive" in refused.output
    assert app.state.services.models.chosen() == "active-one"
    not_admin = runner.invoke(main, ["models", "promote", "noise", "--user", "inspector"])
    assert not_admin.exit_code == 2 and "only an admin" in not_admin.output
    listed = runner.invoke(main, ["models"])
    assert listed.exit_code == 0 and "noise" in listed.output
    assert json.loads((folder / "models" / "noise" / "card.json").read_text())["version"] == (
        "noise")
