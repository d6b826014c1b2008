"""Referral cases: opened with the upload, the clock, recorded decisions as versions, audit,
the dashboard's figures and the overdue events, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from referralkit import INTERVIEWS, VISITS, services_on, upload_urgent
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from storekit import counts, raw

from screening.errors import StoreError, UnknownCaseError
from screening.service import referrals
from screening.service.uploads import UploadedFile, accept_upload
from screening.store import create_user, transaction
from screening.store import referrals as store
from screening.store.tables import AuditEntry, OutboxEvent, ReferralCase

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def svc(store, tmp_path):
    return services_on(store, tmp_path)


@pytest.fixture
def monitor(svc):
    return create_user(svc.engine, "mona", "monitor")[0]


def test_an_upload_opens_a_case_for_each_urgent_visit(svc):
    before = svc.settings.now()
    receipt = upload_urgent(svc)
    assert receipt.visit_tiers == {"R1": "urgent", "R3": "urgent", "R4": "urgent", "R2": "low"}
    assert set(receipt.referral_cases) == {"R1", "R3", "R4"}
    cases = {c["visit_id"]: c for c in referrals.queue(svc.engine, svc.settings.now())}
    r1, r3, r4 = cases["R1"], cases["R3"], cases["R4"]
    assert r1["workers"] == ["W1"] and r3["workers"] == [] and r4["workers"] == ["W7"]
    assert r1["suggested"] == ["special_police", "migration_service", "minors_commission"]
    assert r3["suggested"] == ["special_police"] and r4["suggested"] == ["special_police"]
    assert "ICLS-FL-WORKERS" in r1["indicators"].split(";")
    assert r3["indicators"].split(";")[0] == "ILO-FL05-VIOLENCE"
    for case in (r1, r3, r4):
        assert case["status"] == "open" and case["region"] in ("Baku", "Absheron-Khizi")
        assert before <= case["detected_at"] <= svc.settings.now()
        assert case["due_at"] - case["detected_at"] == 24 * HOUR
        assert not case["overdue"] and 23 * 3600 < case["seconds_left"] <= 24 * 3600
    with transaction(svc.engine, write=False) as db:
        events = db.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        opened = db.scalars(select(AuditEntry).where(AuditEntry.action == "referral.open"))
        assert len(opened.all()) == 3
    assert [e.kind for e in events] == ["case_opened"] * 3
    assert {e.payload["visit_id"] for e in events} == {"R1", "R3", "R4"}
    assert all(e.delivered_at is None for e in events)


def test_the_same_file_again_opens_no_second_case(svc):
    first = upload_urgent(svc)
    again = upload_urgent(svc)
    assert again.repeat and again.referral_cases == first.referral_cases
    assert counts(svc.engine)["referral_cases"] == 3


def test_a_correction_keeps_the_open_case_of_the_visit(svc):
    upload_urgent(svc)
    changed = VISITS.replace(b"R1,S1,2026-11-30,I1,Baku,construction,10",
                             b"R1,S1,2026-11-30,I1,Baku,construction,11")
    receipt = accept_upload(svc, None, UploadedFile("fix.csv", changed),
                            UploadedFile("i.csv", INTERVIEWS), correction=True)
    assert receipt.referral_cases == {}
    assert counts(svc.engine)["referral_cases"] == 3


def test_a_correction_after_not_referred_opens_a_new_case(svc, monitor):
    upload_urgent(svc)
    r1, r3 = upload_case(svc, "R1"), upload_case(svc, "R3")
    referrals.record(svc, r1, monitor, status="referred", recipient="special_police",
                     channel="phone")
    referrals.record(svc, r3, monitor, status="not_referred", reason="Wrong site recorded.")
    changed = VISITS.replace(b",4,0,0,0,0,true", b",5,0,0,0,0,true").replace(
        b"R1,S1,2026-11-30,I1,Baku,construction,10", b"R1,S1,2026-11-30,I1,Baku,construction,9")
    receipt = accept_upload(svc, None, UploadedFile("fix.csv", changed),
                            UploadedFile("i.csv", INTERVIEWS), correction=True)
    assert list(receipt.referral_cases) == ["R3"], "R1 was referred already; R4 is open"
    assert receipt.referral_cases["R3"] != r3
    assert [c["status"] for c in store.cases(svc.engine, visit_id="R3")] == [
        "not_referred", "open"]


def test_the_due_time_is_a_setting(store, tmp_path):
    svc = services_on(store, tmp_path, referral_due_hours=2)
    upload_urgent(svc)
    case = referrals.queue(svc.engine, svc.settings.now())[0]
    assert case["due_at"] - case["detected_at"] == 2 * HOUR


def test_the_queue_puts_overdue_first_and_closed_last(svc, monitor):
    upload_urgent(svc)
    now = svc.settings.now()
    r1 = next(c for c in referrals.queue(svc.engine, now) if c["visit_id"] == "R1")
    referrals.record(svc, r1["case_id"], monitor, status="referred", now=now + HOUR,
                     recipient="special_police", channel="phone", reference="MIA-77")
    later = now + 30 * HOUR
    queue = referrals.queue(svc.engine, later)
    assert [c["status"] for c in queue] == ["open", "open", "referred"]
    assert all(c["overdue"] for c in queue[:2]) and queue[0]["seconds_left"] < -5 * 3600
    assert queue[2]["visit_id"] == "R1" and queue[2]["seconds_left"] is None
    assert [c["visit_id"] for c in referrals.queue(svc.engine, later, overdue=False)] == ["R1"]
    assert len(referrals.queue(svc.engine, later, status="open", region="Baku")) == 1
    with pytest.raises(StoreError, match="The referral status must be one of"):
        referrals.queue(svc.engine, later, status="opened")


def test_recording_supersedes_and_keeps_the_history(svc, monitor):
    upload_urgent(svc)
    now = svc.settings.now()
    case_id = upload_case(svc, "R1")
    when = now + 2 * HOUR
    done = referrals.record(svc, case_id, monitor, status="referred", now=now + 3 * HOUR,
                            referred_at=when, recipient="migration_service",
                            channel="electronic", reference=" SMS-2026-14 ", notes="by portal")
    assert done["status"] == "referred" and done["version"] == 2
    assert done["referred_at"] == when and done["reference"] == "SMS-2026-14"
    assert done["on_time"] is True and done["hours_to_referral"] == 2.0
    again = referrals.record(svc, case_id, monitor, status="referred", now=now + 4 * HOUR,
                             referred_at=when, recipient="special_police", channel="letter",
                             reference="MIA-9")
    assert again["version"] == 3
    history = store.case_history(svc.engine, case_id)
    assert [h["status"] for h in history] == ["open", "referred", "referred"]
    assert [h["recipient"] for h in history] == [None, "migration_service", "special_police"]
    current = store.cases(svc.engine, visit_id="R1")
    assert len(current) == 1 and current[0]["version"] == 3
    with transaction(svc.engine, write=False) as db:
        audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "referral.referred")
                             .order_by(AuditEntry.id)).all()
    assert [a.user_id for a in audited] == [monitor.id, monitor.id]
    assert audited[0].details["reference"] == "SMS-2026-14"


def test_not_referred_needs_a_reason(svc, monitor):
    upload_urgent(svc)
    case_id = upload_case(svc, "R3")
    with pytest.raises(StoreError, match="needs the reason"):
        referrals.record(svc, case_id, monitor, status="not_referred", reason="  ")
    done = referrals.record(svc, case_id, monitor, status="not_referred",
                            reason="False alarm confirmed with the inspector.")
    assert done["status"] == "not_referred" and done["recipient"] is None
    assert "inspector" in done["reason"]


@pytest.mark.parametrize("decision, message", [
    ({"status": "referred", "channel": "phone"}, "needs its recipient"),
    ({"status": "referred", "recipient": "special_police"}, "needs its channel"),
    ({"status": "referred", "recipient": "police", "channel": "phone"},
     "recipient must be one of .* Did you mean 'special_police'"),
    ({"status": "referred", "recipient": "special_police", "channel": "fax"},
     "channel must be one of phone, letter, electronic"),
    ({"status": "open"}, "referral status must be one of referred, not_referred"),
], ids=["no-recipient", "no-channel", "bad-recipient", "bad-channel", "reopen"])
def test_a_bad_decision_is_refused_and_changes_nothing(svc, monitor, decision, message):
    upload_urgent(svc)
    case_id = upload_case(svc, "R1")
    with pytest.raises(StoreError, match=message):
        referrals.record(svc, case_id, monitor, **decision)
    assert [h["status"] for h in store.case_history(svc.engine, case_id)] == ["open"]


def test_an_unknown_case_is_named(svc, monitor):
    with pytest.raises(UnknownCaseError, match="Referral case 99 is not in the store"):
        referrals.record(svc, 99, monitor, status="not_referred", reason="x")


def test_a_case_is_never_deleted(svc):
    upload_urgent(svc)
    with pytest.raises(DBAPIError, match="never deleted"):
        raw(svc.engine, "DELETE FROM referral_cases")
    assert counts(svc.engine)["referral_cases"] == 3


def test_figures_count_open_overdue_due_soon_and_the_median(svc, monitor):
    upload_urgent(svc)
    now = svc.settings.now()
    r1, r3 = upload_case(svc, "R1"), upload_case(svc, "R3")
    referrals.record(svc, r1, monitor, status="referred", now=now + 30 * HOUR,
                     referred_at=now + 26 * HOUR, recipient="special_police", channel="phone")
    referrals.record(svc, r3, monitor, status="referred", now=now + 3 * HOUR,
                     referred_at=now + 2 * HOUR, recipient="special_police", channel="phone")
    at = now + 21 * HOUR  # R4 still open, due in 3 h
    figures = referrals.figures(svc.engine, at)
    assert (figures["open"], figures["overdue"], figures["due_soon"]) == (1, 0, 1)
    late = referrals.figures(svc.engine, now + 25 * HOUR)
    assert (late["open"], late["overdue"], late["due_soon"]) == (1, 1, 0)
    same_month = (now + 26 * HOUR).month == (now + 2 * HOUR).month == at.month
    if same_month:
        assert figures["median_hours_this_month"] == 14.0  # median of 26 h and 2 h
    year = figures["by_year"][0]
    assert (year["cases"], year["referred"], year["on_time"], year["late"], year["open"]) == (
        3, 2, 1, 1, 1)


def test_overdue_events_are_written_once(svc, monitor):
    upload_urgent(svc)
    now = svc.settings.now()
    assert referrals.sweep_overdue(svc, now + 23 * HOUR) == 0
    referrals.record(svc, upload_case(svc, "R3"), monitor, status="not_referred",
                     reason="Duplicate of an earlier report.", now=now + HOUR)
    assert referrals.sweep_overdue(svc, now + 25 * HOUR) == 2  # R1 and R4; R3 is closed
    assert referrals.sweep_overdue(svc, now + 26 * HOUR) == 0
    with transaction(svc.engine, write=False) as db:
        kinds = db.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id)).all()
        late = db.scalars(select(ReferralCase.visit_id).join(
            OutboxEvent, OutboxEvent.case_id == ReferralCase.case_id)
            .where(OutboxEvent.kind == "case_overdue", ReferralCase.version == 1)).all()
    assert kinds.count("case_overdue") == 2 and sorted(late) == ["R1", "R4"]


def upload_case(svc, visit_id: str) -> int:
    return store.cases(svc.engine, visit_id=visit_id)[0]["case_id"]


def test_the_follow_up_list_carries_each_urgent_visits_clock(svc, monitor):
    from screening.service.follow_up import follow_up_page
    from screening.store import follow_up_frame

    upload_urgent(svc)
    now = svc.settings.now()
    frame = follow_up_frame(svc.engine).set_index("visit_id")
    assert pd.isna(frame.loc["R2", "referral_status"])
    assert frame.loc["R1", "referral_status"] == "open"
    referrals.record(svc, int(frame.loc["R3", "referral_case"]), monitor, status="not_referred",
                     reason="Confirmed false alarm.")
    _, rows = follow_up_page(svc.engine, now=now + 25 * HOUR)
    by_id = {r["visit_id"]: r for r in rows}
    assert by_id["R1"]["referral_overdue"] is True
    assert -1.1 < by_id["R1"]["referral_hours_left"] < -0.9
    assert by_id["R3"]["referral_status"] == "not_referred"
    assert by_id["R3"]["referral_hours_left"] is None and not by_id["R3"]["referral_overdue"]
    assert by_id["R2"]["referral_case"] is None and not by_id["R2"]["referral_overdue"]
