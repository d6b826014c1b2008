"""Live performance from a store filled with an upload and decided reviews."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.service import open_services
from screening.service.performance import live_performance
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import EXAMPLES_DIR, Settings
from screening.store import create_user, follow_up_frame, record_review


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    services = open_services(Settings(data_dir=tmp_path_factory.mktemp("perf")))
    user, _ = create_user(services.engine, "i", "inspector")
    accept_upload(services, user,
                  UploadedFile("visits.csv", (EXAMPLES_DIR / "visits.csv").read_bytes()),
                  UploadedFile("interviews.csv",
                               (EXAMPLES_DIR / "interviews.csv").read_bytes()))
    listed = follow_up_frame(services.engine, limit=400)
    truth = pd.read_csv(EXAMPLES_DIR / "outcomes.csv").set_index("visit_id")["outcome"]
    decided = listed.head(60)  # the top 60 of the list were followed up
    for visit_id in decided["visit_id"]:
        record_review(services.engine, visit_id=visit_id, status="decided",
                      outcome=truth[visit_id])
    return services, decided.assign(outcome=decided["visit_id"].map(truth))


def test_hit_rates_by_tier_match_the_decided_reviews(reviewed):
    services, decided = reviewed
    result = live_performance(services.engine)
    assert result["decided"] == 60
    by_tier = {row["group"]: row for row in result["by_tier"]}
    for tier, part in decided.groupby("tier"):
        expected = (part["outcome"] == "forced_labour").mean()
        assert by_tier[tier]["decided"] == len(part)
        assert by_tier[tier]["forced_labour_rate"] == pytest.approx(expected)


def test_label_counts_and_capacity(reviewed):
    services, decided = reviewed
    result = live_performance(services.engine)
    by_sector = {row["sector"]: row["total"] for row in result["labels"]["by_sector"]}
    assert by_sector == decided["sector"].value_counts().to_dict()
    top = decided[decided["selected"] & ~decided["exploration"]]
    found = (top["outcome"] == "forced_labour").sum()
    assert result["at_capacity"]["top_decided"] == len(top)
    assert result["at_capacity"]["forced_labour_found"] == found
    assert sum(row["visits"] for row in result["calibration"]) == 60


def test_only_one_model_version(reviewed):
    services, _ = reviewed
    assert live_performance(services.engine, model_version="other")["decided"] == 0
    assert live_performance(services.engine, model_version="default")["decided"] == 60


def test_the_page_and_the_api_show_live_performance(reviewed):
    from fastapi.testclient import TestClient

    from screening.app import create_app
    from screening.store import create_user

    services, decided = reviewed
    app = create_app(services=services)
    _, token = create_user(services.engine, "analyst-perf", "analyst")
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    data = client.get("/api/v1/performance", headers=headers).json()
    assert data["decided"] == 60 and data["model_version"] == "default"
    assert client.get("/api/v1/performance", params={"model": "all"},
                      headers=headers).json()["model_version"] is None
    form = client.get("/sign-in")
    import re

    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text).group(1)
    client.post("/sign-in", data={"token": token, "csrf": csrf})
    for lang, words in (("en", "Hit rate by tier"), ("az", "Səviyyələr üzrə aşkarlama payı")):
        client.get(f"/lang/{lang}")
        page = client.get("/performance")
        assert page.status_code == 200 and words in page.text
        assert 'id="perf-tier"' in page.text and 'id="perf-exploration"' in page.text
