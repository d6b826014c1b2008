"""Drift of stored visits against the active model's training data, with warnings naming the
columns; and the analyst sees it."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.datasets.synthetic import generate
from screening.model.versions import read_reference
from screening.service.drift import drift_report
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import Settings
from screening.store import create_user
from tests.modelkit import csv_bytes, small_model


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift")
    small_model(folder / "models", "small")
    app = create_app(Settings(data_dir=folder / "store", models_dir=folder / "models",
                              active_model="small"))
    services = app.state.services
    user, _ = create_user(services.engine, "i", "inspector")
    fresh = generate(1_200, seed=21, prevalence=0.03, days=28)
    visits = fresh.visits.copy()
    start = visits["visit_date"].min()
    visits["visit_date"] = (visits["visit_date"] - start + pd.Timestamp(
        "2026-01-01")).dt.strftime("%Y-%m-%d")
    same = visits.iloc[:600]
    changed = visits.iloc[600:].copy()
    changed["visit_date"] = "2026-02-15"
    changed["avg_weekly_hours"] = (changed["avg_weekly_hours"] + 25).clip(upper=168)
    interviews = fresh.interviews
    for name, part in (("january.csv", same), ("february.csv", changed)):
        ids = set(part["visit_id"])
        accept_upload(services, user, UploadedFile(name, csv_bytes(part)),
                      UploadedFile("i-" + name, csv_bytes(interviews[interviews["visit_id"]
                                                                 .isin(ids)])))
    return app, folder


def test_the_model_folder_keeps_the_training_distribution(drifted):
    _, folder = drifted
    reference = read_reference(folder / "models" / "small")
    assert "avg_weekly_hours" in reference and "fired:ICLS-FL-WORKERS" in reference
    assert abs(sum(reference["avg_weekly_hours"]["shares"])
               + reference["avg_weekly_hours"]["unknown"] - 1) < 1e-9


def test_a_drifted_month_is_named_and_a_steady_one_is_not(drifted):
    app, _ = drifted
    report = drift_report(app.state.services)
    assert report["status"] == "drift" and report["model"] == "small"
    assert "avg_weekly_hours" in report["columns"]
    months = {(w["month"], w["column"]) for w in report["warnings"]}
    assert ("2026-02", "avg_weekly_hours") in months
    assert ("2026-01", "avg_weekly_hours") not in months
    table = {(r["month"], r["column"]): r for r in report["table"]}
    assert table[("2026-01", "avg_weekly_hours")]["psi"] < 0.1
    assert table[("2026-02", "avg_weekly_hours")]["psi"] >= 0.25


def test_the_analyst_sees_the_warning_on_the_model_page_and_the_dashboard(drifted):
    import re

    app, _ = drifted
    _, token = create_user(app.state.services.engine, "analyst", "analyst")
    client = TestClient(app)
    assert client.get("/api/v1/drift", headers={"Authorization": f"Bearer {token}"}
                      ).json()["columns"][:1] == drift_report(app.state.services)["columns"][:1]
    form = client.get("/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', form).group(1)
    client.post("/sign-in", data={"token": token, "csrf": csrf})
    for path in ("/model", "/dashboard"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'id="drift-warning"' in page.text and "avg_weekly_hours" in page.text


def test_no_reference_no_warning(tmp_path):
    import shutil

    from screening.settings import PROJECT_ROOT

    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models" / "default", models / "old")
    (models / "old" / "reference.json").unlink()  # a model saved before drift was measured
    app = create_app(Settings(data_dir=tmp_path / "store", models_dir=models,
                              active_model="old"))
    assert drift_report(app.state.services)["status"] == "no_reference"


def test_drift_over_time_is_drawn_and_plots_are_large(drifted):
    import re
    import struct

    app, folder = drifted
    report = drift_report(app.state.services)
    series = {s["column"]: s for s in report["series"]}
    assert [m["month"] for m in series["avg_weekly_hours"]["marks"]] == ["2026-01", "2026-02"]
    _, token = create_user(app.state.services.engine, "analyst-2", "analyst")
    client = TestClient(app)
    csrf = re.search(r'name="csrf" value="([^"]*)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"token": token, "csrf": csrf})
    page = client.get("/model").text
    assert 'id="drift-over-time"' in page and "<polyline" in page
    assert 'class="plot-link"' in page, "plots open at full size"
    png = (folder / "models" / "small" / "calibration.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 900 and height >= 600
