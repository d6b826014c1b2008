"""The list endpoint's search, sorts, site groups, cursors, totals and capacity, and the CSV
export streamed in keyset chunks, on the sample upload (300 visits)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("store"),
                              sign_in_limit_account="1000/minute"))
    client = TestClient(app)
    engine = app.state.services.engine
    inspector = create_user(engine, "u-inspector", "inspector")[1]
    monitor = create_user(engine, "u-monitor", "monitor")[1]
    files = {"file": ("visits.csv", (EXAMPLES / "visits.csv").read_bytes(), "text/csv"),
             "interviews": ("interviews.csv", (EXAMPLES / "interviews.csv").read_bytes(),
                            "text/csv")}
    answer = client.post("/api/v1/uploads", files=files,
                         headers={"Authorization": f"Bearer {inspector}"})
    assert answer.status_code == 201, answer.text
    return client, {"Authorization": f"Bearer {monitor}"}


def get(api, **params):
    client, headers = api
    return client.get("/api/v1/visits", params=params, headers=headers)


def test_the_answer_says_how_to_page(api):
    body = get(api, per_page=20).json()
    assert body["total"] == 300 and body["pages"] == 15 and body["page"] == 1
    assert body["total_is_estimate"] is False and body["sort"] == "priority"
    assert body["prev_cursor"] is None and body["next_cursor"]
    capacity = body["capacity"]
    assert capacity["share"] == 0.05 and capacity["cutoff_rank"] == (
        capacity["urgent"] + capacity["follow_ups"])
    within = [v["rank"] for v in body["visits"] if v["within_capacity"]]
    assert within == [r for r in range(capacity["urgent"] + 1, capacity["cutoff_rank"] + 1)
                      if r <= 20]
    second = get(api, per_page=20, cursor=body["next_cursor"]).json()
    assert second["visits"] == get(api, per_page=20, page=2).json()["visits"]
    assert second["page"] == 2 and [v["rank"] for v in second["visits"]] == list(range(21, 41))
    back = get(api, per_page=20, cursor=second["prev_cursor"]).json()
    assert back["visits"] == body["visits"]


def test_old_sort_names_and_rank_order_still_work(api):
    ranked = [v["visit_id"] for v in get(api, sort="rank", per_page=300).json()["visits"]]
    assert ranked == [v["visit_id"] for v in get(api, per_page=300).json()["visits"]]
    dates = [v["visit_date"] for v in get(api, sort="date", per_page=300).json()["visits"]]
    assert dates == sorted(dates, reverse=True)
    up = [v["visit_date"] for v in get(api, sort="date_ascending", per_page=300).json()["visits"]]
    assert up == sorted(up)


def test_search_sort_and_groups(api):
    found = get(api, q="v000001", per_page=50).json()
    assert {v["visit_id"] for v in found["visits"]} == {f"V00000{n}" for n in range(10, 20)}
    risks = [v["risk_score"] for v in get(api, sort="risk", per_page=300).json()["visits"]]
    assert risks == sorted(risks, reverse=True)
    sites = [v["site_id"] for v in get(api, sort="site", per_page=300).json()["visits"]]
    assert sites == sorted(sites)
    grouped = get(api, group="site", per_page=300).json()
    assert len({v["site_id"] for v in grouped["visits"]}) == grouped["total"] == len(
        grouped["visits"])
    repeat = next(v for v in grouped["visits"] if v["site_visits"] > 1)
    assert len(repeat["site_history"]) == repeat["site_visits"] - 1
    assert repeat["visit_id"] not in {h["visit_id"] for h in repeat["site_history"]}


@pytest.mark.parametrize("params, message", [
    ({"sort": "tier"}, "The sort must be one of"),
    ({"cursor": "not-a-cursor"}, "start again from the first page"),
    ({"group": "region"}, ""),
    ({"q": "x" * 201}, ""),
])
def test_bad_list_parameters_are_422(api, params, message):
    answer = get(api, **params)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["error"]["message"]


def test_csv_export_is_the_whole_list_in_order(api):
    client, headers = api
    answer = client.get("/api/v1/export.csv", params={"sort": "date"}, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == "attachment; filename=follow-up.csv"
    frame = pd.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)
    listed = get(api, sort="date", per_page=300).json()["visits"]
    assert frame["visit_id"].tolist() == [v["visit_id"] for v in listed]
    assert frame["rank"].tolist() == [str(n) for n in range(1, 301)]
    assert frame["visit_date"].iloc[0] == listed[0]["visit_date"][:10]
