"""The referral pages: the queue by time left, recording through the form, the clock on the
visit page, the follow-up list and the dashboard, the outbox, the export in both languages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from screening.store import referrals as repo
from tests.web.conftest import csrf_of


@pytest.fixture
def cases(service):
    return repo.cases(service[0].state.services.engine)


@pytest.fixture
def shifted(service):
    """Move the service's clock 25 hours on for one test."""
    services = service[0].state.services
    before = services.settings
    services.settings = before.replace(clock_shift_hours=25)
    yield
    services.settings = before


def test_the_demo_upload_opened_a_case_per_urgent_visit(service, clients, cases):
    listed = clients["monitor"].get("/list", params={"tier": "urgent"}).text
    urgent = set(re.findall(r'tier-row-urgent[^"]*" data-visit-id="([^"]+)"', listed))
    assert urgent and urgent <= {c["visit_id"] for c in cases}


def test_the_queue_is_sorted_by_time_left_with_its_source(clients, cases):
    page = clients["monitor"].get("/referrals").text
    assert "A case is due 24 hours after the upload." in page
    assert "special police department" in page and "unverified" in page
    due = [c["due_at"] for c in cases if c["status"] == "open"]
    assert due == sorted(due)
    rows = re.findall(r'data-case-id="(\d+)"', page)
    assert [int(r) for r in rows[:len(due)]] == [c["case_id"] for c in cases
                                                 if c["status"] == "open"]
    assert re.search(r'class="clock">\d+h \d\dm left<', page)


def test_recording_through_the_form_closes_the_case(service, clients, cases):
    client = clients["monitor"]
    case = next(c for c in cases if c["status"] == "open")
    form = client.get(f"/referrals/{case['case_id']}")
    assert 'id="record-form"' in form.text
    missing = client.post(f"/referrals/{case['case_id']}", data={
        "csrf": csrf_of(form.text), "status": "not_referred", "reason": " "})
    assert missing.status_code == 422 and 'id="record-error"' in missing.text
    done = client.post(f"/referrals/{case['case_id']}", follow_redirects=False, data={
        "csrf": csrf_of(form.text), "status": "referred", "recipient": "special_police",
        "channel": "electronic", "reference": "<b>MIA-7</b>", "referred_at": "2026-12-01T09:30"})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert 'id="record-saved"' in page and 'data-status="referred"' in page
    assert page.count('class="version"') == 2, "both versions are shown"
    assert "&lt;b&gt;MIA-7&lt;/b&gt;" in page and "<b>MIA-7</b>" not in page
    assert "1 Dec 2026, 09:30" in page  # the time it was referred, in the English format
    queue = client.get("/referrals", params={"status": "referred"}).text
    assert f'data-case-id="{case["case_id"]}"' in queue


def test_the_visit_page_shows_the_case_and_its_clock(clients, cases):
    case = next(c for c in cases if c["status"] == "open")
    page = clients["analyst"].get(f"/visits/{case['visit_id']}").text
    assert 'id="visit-referral"' in page and "/referrals/" not in page, (
        "an analyst sees the clock but cannot open the case page")
    assert re.search(r'id="visit-referral-clock" class="clock">\d+h \d\dm left', page)
    page = clients["monitor"].get(f"/visits/{case['visit_id']}").text
    assert f'href="/referrals/{case["case_id"]}"' in page


def test_the_follow_up_list_shows_the_clock(clients):
    page = clients["monitor"].get("/list", params={"tier": "urgent"}).text
    assert 'class="referral-link"' in page and re.search(r"\d+h \d\dm left", page)


def test_the_dashboard_counts_cases_and_shows_the_outbox(clients, cases):
    page = clients["monitor"].get("/dashboard").text
    open_ = sum(c["status"] == "open" for c in cases)
    assert f"Open: {open_}<" in page and "Overdue: 0<" in page
    assert 'id="referrals-by-year"' in page
    assert 'id="outbox"' in page and "Notifications not yet delivered:" in page
    assert page.count('class="event event-case_opened"') >= 1


def test_with_the_clock_moved_on_overdue_cases_stand_out(clients, cases, shifted):
    open_ = sum(c["status"] == "open" for c in cases)
    page = clients["monitor"].get("/dashboard").text
    assert f"Overdue: {open_}<" in page and 'id="fig-overdue" class="overdue"' in page
    queue = clients["monitor"].get("/referrals", params={"overdue": "1"}).text
    assert queue.count('class="referral-row overdue"') == open_
    assert re.search(r"OVERDUE by \d+h \d\dm", queue)


def test_the_export_is_in_the_pages_language(service, clients):
    client = TestClient(service[0])
    client.cookies.update(clients["monitor"].cookies)
    client.cookies.set("screening_lang", "az")
    answer = client.get("/referrals/export.csv")
    assert answer.status_code == 200 and "referrals-az.csv" in answer.headers[
        "content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows and {"iş", "yoxlama", "son vaxt (UTC)"} <= set(rows[0])
    assert clients["monitor"].get("/referrals/export.pdf").status_code == 404


def test_the_model_page_shows_the_referral_queue_and_recall_at_four_capacities(tmp_path):
    """A card with the referral queue and recall at 1, 2, 5 and 10 % (what `screening train`
    now writes) shows both on the model page, in both languages."""
    import json
    import shutil

    from screening.app import create_app
    from screening.service.demo import seed_demo
    from screening.settings import PROJECT_ROOT, Settings
    from tests.web.conftest import sign_in

    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models" / "default", models / "default")
    card_path = models / "default" / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["metrics"]["referral_queue"] = {"visits": 622, "forced_labour": 304,
                                         "precision": 0.489, "share_of_forced_labour": 0.712}
    card["metrics"]["recall_at_capacities"] = [
        {"capacity": c, "k": k, "rules only (tier, rule score)": r,
         "model only (risk score)": m, "combined follow-up list": x, "combined >= best": True}
        for c, k, r, m, x in ((0.01, 194, 0.704, 0.982, 0.982), (0.02, 388, 0.796, 0.992, 0.993),
                              (0.05, 969, 0.95, 0.992, 0.996), (0.1, 1938, 0.976, 0.993, 1.0))]
    card_path.write_text(json.dumps(card), encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path / "data", models_dir=models))
    tokens = seed_demo(app.state.services)
    client = TestClient(app)
    assert sign_in(client, tokens["analyst"]).status_code == 303
    page = client.get("/model").text
    assert "622 visits, 304 of them forced labour (71.2 % of all" in page
    grid = re.search(r'<table id="recall-grid".*?</table>', page, re.S).group()
    assert grid.count("<tr>") == 5 and "0.982" in grid and "10 %" in grid
    client.cookies.set("screening_lang", "az")
    assert "Yönləndirmə növbəsi" in client.get("/model").text
