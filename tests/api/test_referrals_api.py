"""/api/v1/referrals: the queue with its clock and filters, one case with its history,
recording referred or not referred, roles, errors, the export in both languages, audit."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user
from screening.store.engine import transaction
from screening.store.tables import AuditEntry
from tests.store.referralkit import INTERVIEWS, VISITS

ROLES = ("inspector", "monitor", "analyst", "admin")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(tmp_path):
    """A fresh service (rules only) with one user per role and the urgent upload stored."""
    app = create_app(Settings(data_dir=tmp_path, active_model=""))
    client = TestClient(app)
    tokens = {role: create_user(app.state.services.engine, f"u-{role}", role)[1]
              for role in ROLES}
    files = {"file": ("visits.csv", VISITS, "text/csv"),
             "interviews": ("interviews.csv", INTERVIEWS, "text/csv")}
    receipt = client.post("/api/v1/uploads", files=files, headers=auth(tokens["inspector"]))
    assert receipt.status_code == 201, receipt.text
    return client, tokens, app, receipt.json()


def actions(app) -> list[str]:
    with transaction(app.state.services.engine, write=False) as session:
        return [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_receipt_names_the_cases_and_the_queue_shows_their_clock(api):
    client, tokens, _, receipt = api
    assert set(receipt["referral_cases"]) == {"R1", "R3", "R4"}
    body = client.get("/api/v1/referrals", headers=auth(tokens["monitor"])).json()
    assert body["total"] == 3 and body["due_hours"] == 24
    assert "special police" in body["due_source"] and "unverified" in body["due_source"]
    r1 = next(c for c in body["cases"] if c["visit_id"] == "R1")
    assert r1["workers"] == ["W1"] and r1["status"] == "open" and not r1["overdue"]
    assert 23 * 3600 < r1["seconds_left"] <= 24 * 3600
    assert r1["suggested"] == ["special_police", "migration_service", "minors_commission"]


@pytest.mark.parametrize("role, status", [("inspector", 403), ("analyst", 200),
                                          ("monitor", 200), ("admin", 200)])
def test_who_may_read_the_queue(api, role, status):
    client, tokens, _, _ = api
    assert client.get("/api/v1/referrals", headers=auth(tokens[role])).status_code == status


def test_filters(api):
    client, tokens, _, _ = api
    get = lambda **q: client.get("/api/v1/referrals", params=q,  # noqa: E731
                                 headers=auth(tokens["monitor"]))
    assert [c["visit_id"] for c in get(region="Absheron-Khizi").json()["cases"]] == ["R4"]
    assert [c["visit_id"] for c in get(visit_id="R3").json()["cases"]] == ["R3"]
    assert get(overdue="true").json()["total"] == 0
    assert get(status="referred").json()["total"] == 0
    bad = get(status="opened")
    assert bad.status_code == 422 and set(bad.json()) == {"error"}


def test_recording_a_referral_closes_the_case_and_keeps_its_history(api):
    client, tokens, app, receipt = api
    case = receipt["referral_cases"]["R1"]
    body = {"status": "referred", "recipient": "special_police", "channel": "phone",
            "reference": "MIA-2026-0042", "notes": "Duty officer informed.",
            "referred_at": "2026-12-01T10:15:00"}
    analyst = client.post(f"/api/v1/referrals/{case}/decision", json=body,
                          headers=auth(tokens["analyst"]))
    assert analyst.status_code == 403
    done = client.post(f"/api/v1/referrals/{case}/decision", json=body,
                       headers=auth(tokens["monitor"]))
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "referred" and done.json()["version"] == 2
    assert done.json()["referred_at"].startswith("2026-12-01T10:15:00")
    found = client.get(f"/api/v1/referrals/{case}", headers=auth(tokens["analyst"])).json()
    assert [h["status"] for h in found["history"]] == ["open", "referred"]
    assert found["case"]["seconds_left"] is None and found["case"]["reference"] == "MIA-2026-0042"
    queue = client.get("/api/v1/referrals", params={"status": "open"},
                       headers=auth(tokens["monitor"])).json()
    assert "R1" not in [c["visit_id"] for c in queue["cases"]]
    assert {"referral.open", "referral.referred", "referral.read"} <= set(actions(app))


@pytest.mark.parametrize("body, status, words", [
    ({"status": "not_referred"}, 422, "needs the reason"),
    ({"status": "referred", "channel": "phone"}, 422, "needs its recipient"),
    ({"status": "referred", "recipient": "police", "channel": "phone"}, 422, "recipient"),
    ({"status": "closed"}, 422, "status"),
], ids=["no-reason", "no-recipient", "bad-recipient", "bad-status"])
def test_a_bad_decision_gets_the_error_shape(api, body, status, words):
    client, tokens, _, receipt = api
    case = receipt["referral_cases"]["R3"]
    answer = client.post(f"/api/v1/referrals/{case}/decision", json=body,
                         headers=auth(tokens["monitor"]))
    assert answer.status_code == status and words in answer.text
    assert set(answer.json()) == {"error"}


def test_the_visit_detail_carries_its_case(api):
    client, tokens, _, receipt = api
    found = client.get("/api/v1/visits/R1", headers=auth(tokens["analyst"])).json()
    assert found["referral"]["case_id"] == receipt["referral_cases"]["R1"]
    assert found["referral"]["status"] == "open" and found["referral"]["seconds_left"] > 0
    assert [h["version"] for h in found["referral"]["history"]] == [1]
    assert client.get("/api/v1/visits/R2", headers=auth(tokens["analyst"])).json()[
        "referral"] is None


def test_an_unknown_case_is_404(api):
    client, tokens, _, _ = api
    answer = client.get("/api/v1/referrals/999", headers=auth(tokens["monitor"]))
    assert answer.status_code == 404 and "999" in answer.json()["error"]["message"]
    answer = client.post("/api/v1/referrals/999/decision", headers=auth(tokens["monitor"]),
                         json={"status": "not_referred", "reason": "x"})
    assert answer.status_code == 404


def test_with_the_clock_moved_on_open_cases_are_overdue_everywhere(api):
    client, tokens, app, receipt = api
    services = app.state.services
    services.settings = services.settings.replace(clock_shift_hours=25)
    body = client.get("/api/v1/referrals", params={"overdue": "true"},
                      headers=auth(tokens["monitor"])).json()
    assert body["total"] == 3 and all(-3700 < c["seconds_left"] < -3500 for c in body["cases"])
    listed = client.get("/api/v1/visits", params={"tier": "urgent"},
                        headers=auth(tokens["monitor"])).json()["visits"]
    r1 = next(v for v in listed if v["visit_id"] == "R1")
    assert r1["referral_status"] == "open" and r1["referral_overdue"] is True
    assert -1.1 < r1["referral_hours_left"] < -0.9
    assert r1["referral_case"] == receipt["referral_cases"]["R1"]


def test_the_export_speaks_the_language_asked_for_and_is_audited(api):
    client, tokens, app, _ = api
    answer = client.get("/api/v1/referrals/export.csv", params={"lang": "az"},
                        headers=auth(tokens["monitor"]))
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3 and rows[0]["status"] == "açıq"
    assert "son vaxt (UTC)" in rows[0] and "aidiyyəti olan işçilər" in rows[0]
    english = client.get("/api/v1/referrals/export.csv", headers=auth(tokens["monitor"]))
    assert "workers concerned" in english.text.splitlines()[0]
    xlsx = client.get("/api/v1/referrals/export.xlsx", headers=auth(tokens["admin"]))
    assert xlsx.content[:2] == b"PK"
    assert actions(app).count("export") == 3
    assert client.get("/api/v1/referrals/export.csv",
                      headers=auth(tokens["analyst"])).status_code == 403


def test_the_outbox_lists_the_opening_events(api):
    client, tokens, _, _ = api
    body = client.get("/api/v1/referrals/outbox", headers=auth(tokens["monitor"])).json()
    assert body["waiting"] == 3
    assert {e["kind"] for e in body["events"]} == {"case_opened"}
