"""Corrections (issue 12): rows identical to the stored visits are unchanged, a changed visit is
refused without the correction option and replaced with it, the files kept for the marked
download and their deletion, on SQLite and PostgreSQL, through the service's one code path."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from referralkit import services_on
from sqlalchemy import func, select
from storekit import counts

from screening.errors import NotFoundError, NotOwnVisitError, UploadRefused
from screening.service.upload_history import (
    forget,
    marked_download,
    my_uploads,
    purge_kept_files,
    receipt_for,
)
from screening.service.uploads import UploadedFile, accept_upload
from screening.store import create_user, follow_up_frame, transaction, visit_detail
from screening.store.tables import AuditEntry, KeptFile, Visit
from tests.uploadkit import BAD, quoted_case


@pytest.fixture
def svc(store, tmp_path):
    return services_on(store, tmp_path)


@pytest.fixture
def inspector(svc):
    return create_user(svc.engine, "ines", "inspector")[0]


def send(svc, user, visits: bytes, interviews: bytes | None, *, correction=False,
         name="visits.csv"):
    return accept_upload(svc, user, UploadedFile(name, visits),
                         UploadedFile("interviews.csv", interviews) if interviews else None,
                         correction=correction)


def actions(svc) -> list[tuple[str, str | None]]:
    with transaction(svc.engine, write=False) as session:
        return [(a.action, a.object_id) for a in session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]


def test_the_quoted_case_a_partly_rejected_file_corrected_on_the_web(svc, inspector):
    """Issue 12: 8 bad rows and 17 good ones with interviews; fix the 8, upload again as a
    correction: 0 rejections, 17 unchanged, 8 new (before: 61 rejections)."""
    case = quoted_case("QA")
    first = send(svc, inspector, case.visits_bad, case.interviews)
    assert first.rejected == {"visits": 8, "interviews": 30}  # the "30 of 38"
    assert first.new == {"visits": 17, "interviews": 34}
    assert first.kept_files == {"visits": "visits.csv", "interviews": "interviews.csv"}
    again = send(svc, inspector, case.visits_fixed, case.interviews, correction=True)
    assert again.rejected == {"visits": 0, "interviews": 0} and again.rejected_rows == []
    assert again.unchanged == {"visits": 17, "interviews": 34}
    assert again.new == {"visits": 8, "interviews": 30}
    assert again.corrected == {"visits": 0, "interviews": 0}
    assert set(again.visit_tiers) == set(case.bad_ids)
    assert again.kept_files == {} and again.is_correction
    assert follow_up_frame(svc.engine, limit=100).attrs["total"] == 25
    assert counts(svc.engine)["interviews"] == 64
    with transaction(svc.engine, write=False) as session:
        assert session.scalar(select(func.max(Visit.version))) == 1, "nothing was replaced"
    entry = [a for a in actions(svc) if a[0] == "upload"][-1]
    assert entry == ("upload", str(again.upload_id))


def test_the_fixed_file_without_the_correction_option_gives_the_same_receipt(svc, inspector):
    case = quoted_case("QB")
    send(svc, inspector, case.visits_bad, case.interviews)
    again = send(svc, inspector, case.visits_fixed, case.interviews)
    assert again.rejected == {"visits": 0, "interviews": 0}
    assert (again.unchanged["visits"], again.new["visits"]) == (17, 8)
    assert not again.is_correction


def _changed(case, position: int, **values) -> bytes:
    frame = case.frames["visits"].copy()
    for column, value in values.items():
        frame.loc[position, column] = value
    return frame.to_csv(index=False, lineterminator="\n").encode()


def test_a_changed_visit_is_refused_without_the_option_and_replaced_with_it(svc, inspector):
    case = quoted_case("QC")
    send(svc, inspector, case.visits_fixed, case.interviews)
    low = case.good_ids[3]
    position = int(case.frames["visits"].index[case.frames["visits"]["visit_id"] == low][0])
    changed = _changed(case, position, violence_observed=True)
    refused = send(svc, inspector, changed, case.interviews)
    assert refused.rejected == {"visits": 1, "interviews": 2}
    assert refused.unchanged == {"visits": 24, "interviews": 62}
    cell = refused.rejected_rows[0]
    assert (cell.row, cell.column, cell.value, cell.reason) == (position + 2, "visit_id", low,
                                                                "already_stored")
    assert "tick 'This file corrects visits I uploaded before'" in cell.message
    assert visit_detail(svc.engine, low)["visit"]["version"] == 1

    corrected = send(svc, inspector, changed + b"\n", case.interviews, correction=True)
    assert corrected.corrected == {"visits": 1, "interviews": 2}
    assert corrected.unchanged == {"visits": 24, "interviews": 62}
    assert corrected.rejected == {"visits": 0, "interviews": 0}
    assert corrected.visit_tiers == {low: "urgent"}, "the corrected visit is screened again"
    assert corrected.urgent_visits == [low] and low in corrected.referral_cases
    detail = visit_detail(svc.engine, low)
    assert [(v["version"], v["is_current"]) for v in detail["versions"]] == [(1, False),
                                                                            (2, True)]
    assert len(detail["interviews"]) == 2, "the interviews came with the corrected version"


def test_interviews_in_another_order_are_unchanged_an_added_one_is_a_change(svc, inspector):
    case = quoted_case("QD")
    send(svc, inspector, case.visits_fixed, case.interviews)
    shuffled = case.frames["interviews"].sample(frac=1, random_state=3)
    again = send(svc, inspector, case.visits_fixed,
                 shuffled.to_csv(index=False).encode())
    assert again.unchanged == {"visits": 25, "interviews": 64}
    extra = case.frames["interviews"].iloc[[0]].assign(worker_ref="W99")
    more = pd.concat([case.frames["interviews"], extra]).to_csv(index=False).encode()
    changed = send(svc, inspector, case.visits_fixed, more)
    assert changed.rejected["visits"] == 1 and changed.unchanged["visits"] == 24
    assert changed.rejected_rows[0].visit_id == extra["visit_id"].iloc[0]


def test_a_visits_file_alone_leaves_the_stored_interviews_alone(svc, inspector):
    case = quoted_case("QE")
    send(svc, inspector, case.visits_fixed, case.interviews)
    again = send(svc, inspector, case.visits_fixed + b"\n", None)
    assert again.unchanged == {"visits": 25, "interviews": 0}
    assert counts(svc.engine)["interviews"] == 64


def test_another_inspectors_identical_rows_are_unchanged_changed_ones_refused(svc, inspector):
    case = quoted_case("QF")
    send(svc, inspector, case.visits_fixed, case.interviews)
    other = create_user(svc.engine, "otto", "inspector")[0]
    same = send(svc, other, case.visits_fixed + b"\n", case.interviews, correction=True)
    assert same.unchanged["visits"] == 25 and same.rejected["visits"] == 0
    with pytest.raises(NotOwnVisitError, match=f"Visit '{case.good_ids[0]}' was uploaded by "
                                               "another inspector") as caught:
        send(svc, other, _changed(case, 1, region="Shaki-Zagatala"), case.interviews,
             correction=True)
    assert caught.value.visit_id == case.good_ids[0] and caught.value.more == 0


def test_the_marked_file_fixed_and_uploaded_again_is_read_without_its_messages(
        svc, inspector):
    case = quoted_case("QG")
    first = send(svc, inspector, case.visits_bad, case.interviews)
    marked = marked_download(svc, inspector, first.upload_id, "visits", "en")
    assert marked.filename == f"upload-{first.upload_id}-visits-errors.csv"
    frame = pd.read_csv(io.BytesIO(marked.content), dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    assert frame.columns[-1] == "upload_errors"
    assert (frame["upload_errors"] != "").sum() == 8
    assert "'mining' is not an allowed sector" in frame.loc[0, "upload_errors"]
    for position, (column, _, _) in BAD.items():  # the inspector fixes the marked cells
        frame.loc[position, column] = str(case.frames["visits"].loc[position, column])
    fixed = frame.to_csv(index=False).encode("utf-8-sig")
    again = send(svc, inspector, fixed, case.interviews, correction=True)
    assert again.rejected == {"visits": 0, "interviews": 0}
    assert (again.unchanged["visits"], again.new["visits"]) == (17, 8)
    with transaction(svc.engine, write=False) as session:
        extras = session.scalars(select(Visit.extra)).all()
    assert not any(e and "upload_errors" in e for e in extras)


def test_files_are_kept_only_with_rejections_for_a_signed_in_uploader(svc, inspector):
    case = quoted_case("QH")
    clean = send(svc, inspector, case.visits_fixed, case.interviews)
    assert clean.kept_files == {} and clean.kept_until is None
    anonymous = send(svc, None, _changed(case, 2, sector="mining"), None)
    assert anonymous.rejected["visits"] >= 1 and anonymous.kept_files == {}
    assert counts(svc.engine)["upload_files"] == 0


def test_kept_files_are_read_by_the_uploader_and_admin_only_and_deleted_on_time(
        store, tmp_path, inspector):
    svc = services_on(store, tmp_path, keep_uploaded_files_days=2)
    case = quoted_case("QI")
    receipt = send(svc, inspector, case.visits_bad, case.interviews)
    assert receipt.kept_until - svc.settings.now() <= dt.timedelta(days=2)
    other = create_user(svc.engine, "otto", "inspector")[0]
    admin = create_user(svc.engine, "ada", "admin")[0]
    with pytest.raises(NotFoundError, match=f"No upload {receipt.upload_id} of yours"):
        marked_download(svc, other, receipt.upload_id, "visits", "en")
    with pytest.raises(NotFoundError):
        receipt_for(svc, other, receipt.upload_id)
    assert marked_download(svc, admin, receipt.upload_id, "interviews", "az").content
    assert [u.upload_id for u in my_uploads(svc, other)] == []
    assert [u.upload_id for u in my_uploads(svc, admin)] == [receipt.upload_id]
    later = services_on(store, tmp_path, keep_uploaded_files_days=2, clock_shift_hours=49)
    assert my_uploads(later, inspector)[0].kept == []  # expired: deleted when looked at
    with pytest.raises(NotFoundError, match="not kept"):
        marked_download(later, inspector, receipt.upload_id, "visits", "en")
    log = actions(svc)
    upload = str(receipt.upload_id)
    assert ("file.kept", upload) in log and ("file.marked.read", upload) in log
    assert ("file.expired", upload) in log
    assert ("receipt.read", upload) not in log, "the refused read was not a read"


def test_the_uploader_deletes_the_kept_file_now(svc, inspector):
    case = quoted_case("QJ")
    receipt = send(svc, inspector, case.visits_bad, case.interviews)
    assert forget(svc, inspector, receipt.upload_id) == 2
    with transaction(svc.engine, write=False) as session:
        assert session.scalar(select(func.count()).select_from(KeptFile)) == 0
    assert receipt_for(svc, inspector, receipt.upload_id).kept_files == {}
    assert ("file.deleted", str(receipt.upload_id)) in actions(svc)


def test_no_file_is_kept_when_the_setting_says_zero_days(store, tmp_path, inspector):
    svc = services_on(store, tmp_path, keep_uploaded_files_days=0)
    case = quoted_case("QK")
    assert send(svc, inspector, case.visits_bad, case.interviews).kept_files == {}
    assert counts(svc.engine)["upload_files"] == 0


def test_the_notifiers_round_deletes_the_files_past_their_time(store, tmp_path, inspector):
    svc = services_on(store, tmp_path, keep_uploaded_files_days=1)
    receipt = send(svc, inspector, quoted_case("QL").visits_bad, None)
    assert receipt.kept_files == {"visits": "visits.csv"}
    assert purge_kept_files(svc) == 0
    later = services_on(store, tmp_path, keep_uploaded_files_days=1, clock_shift_hours=25)
    assert purge_kept_files(later) == 1 and counts(svc.engine)["upload_files"] == 0


def test_the_marked_file_is_made_within_the_upload_limits(store, tmp_path, inspector):
    svc = services_on(store, tmp_path)
    receipt = send(svc, inspector, quoted_case("QM").visits_bad, None)
    hurried = services_on(store, tmp_path, parse_timeout_s=0.001)
    with pytest.raises(UploadRefused, match="marking the file took longer than 0.001 s "
                                            r"\(SCREENING_PARSE_TIMEOUT_S\)"):
        marked_download(hurried, inspector, receipt.upload_id, "visits", "en")
