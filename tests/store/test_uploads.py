"""Uploads: one transaction, receipts, the same file twice, already-stored visits, corrections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from storekit import REPO, counts, make_upload, put, raw

from screening import store as store_api
from screening.datasets.synthetic import generate, write
from screening.pipeline import screen_frames
from screening.store import ALREADY_STORED, StoreError, follow_up_frame, visit_detail
from screening.store.tables import AuditEntry, ScreeningRow, Visit


def test_upload_is_stored_with_its_rejected_rows(store, upload_with_errors):
    receipt = put(store, upload_with_errors)
    assert receipt.accepted == {"visits": 1, "interviews": 0}
    assert receipt.rejected == {"visits": 7, "interviews": 0}
    assert len(receipt.rejected_rows) == 7
    frame = receipt.rejected_frame()
    assert list(frame.columns) == ["source", "table", "row", "column", "value", "reason",
                                   "message", "visit_id", "worker_ref"]  # columns only added
    assert frame["row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert frame["visit_id"].tolist() == ["V0000001", "V0000002", "V0000003", "V0000004",
                                          "V0000001", "V0000006", "V0000007"]
    assert set(frame["reason"]) == {"duplicate_id", "unknown_choice", "exceeds_column",
                                    "wrong_type"}
    n = counts(store)
    assert (n["uploads"], n["visits"], n["rejected_rows"], n["screenings"]) == (1, 1, 7, 1)
    assert sum(receipt.tiers.values()) == 1 and list(receipt.tiers) == [
        "urgent", "high", "medium", "low"]
    with Session(store) as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.object_id) == ("upload", str(receipt.upload_id))
    assert entry.details["rejected"] == {"visits": 7, "interviews": 0}


def test_synthetic_upload_stores_visits_interviews_and_screenings(store, synthetic_upload):
    loaded = synthetic_upload.loaded
    receipt = put(store, synthetic_upload)
    n = counts(store)
    assert n["visits"] == n["screenings"] == len(loaded.visits) == receipt.accepted["visits"]
    assert n["interviews"] == len(loaded.interviews) == receipt.accepted["interviews"]
    assert receipt.rejected == {"visits": 0, "interviews": 0}
    ranked = synthetic_upload.screening.follow_up
    assert list(receipt.visit_tiers) == ranked["visit_id"].tolist()
    assert list(receipt.visit_tiers.values()) == ranked["tier"].tolist()
    assert receipt.tiers == ranked["tier"].value_counts().reindex(
        list(receipt.tiers), fill_value=0).to_dict()
    stored = raw(store, "SELECT visit_id, visit_date, workers_present, living_on_site "
                        "FROM visits ORDER BY id").all()
    first = loaded.visits.iloc[0]
    assert stored[0][0] == first["visit_id"]
    assert pd.Timestamp(stored[0][1]) == first["visit_date"]
    assert stored[0][2] == first["workers_present"]
    unknown = loaded.visits["living_on_site"].isna().to_numpy()
    assert [row[3] is None for row in stored] == unknown.tolist()


def test_failure_in_the_middle_leaves_nothing(store, synthetic_upload, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("The disk is full.")

    monkeypatch.setattr("screening.store.uploads._screening_rows", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        put(store, synthetic_upload)
    assert set(counts(store).values()) == {0}
    monkeypatch.undo()
    assert put(store, synthetic_upload).accepted["visits"] == len(synthetic_upload.loaded.visits)


def test_same_file_twice_returns_the_first_receipt(store, synthetic_upload, upload_with_errors):
    first = put(store, upload_with_errors)
    before = counts(store)
    again = put(store, upload_with_errors)
    assert again.repeat and not first.repeat
    assert again == first.model_copy(update={"repeat": True})
    assert counts(store) == before
    other = put(store, synthetic_upload)
    assert other.upload_id != first.upload_id


def test_the_same_visits_in_another_file_are_unchanged_not_rejected(store, synthetic_upload):
    """Issue 12: stored rows sent again (a whole file re-uploaded after fixing its bad rows)
    are counted as unchanged, never rejected as already stored, with or without correction."""
    put(store, synthetic_upload)
    before = counts(store)
    n_visits = len(synthetic_upload.loaded.visits)
    n_interviews = len(synthetic_upload.loaded.interviews)
    for correction, content in ((False, b"the same visits in another file"),
                                (True, b"the same visits, as a correction")):
        again = put(store, synthetic_upload, content=content, correction=correction)
        assert again.accepted == {"visits": 0, "interviews": 0}
        assert again.rejected == {"visits": 0, "interviews": 0}
        assert again.unchanged == {"visits": n_visits, "interviews": n_interviews}
        assert again.corrected == again.new == {"visits": 0, "interviews": 0}
        assert again.rejected_rows == [] and again.visit_tiers == {}
    after = counts(store)
    assert after["uploads"] == before["uploads"] + 2
    for table in ("visits", "interviews", "screenings", "rejected_rows"):
        assert after[table] == before[table], table


def test_a_changed_visit_without_the_correction_option_is_refused_naming_it(store, tmp_path):
    data = generate(6, seed=8)
    first = write(data, tmp_path / "a")
    put(store, make_upload(first["visits"], first["interviews"]))
    changed = data.visits.copy()
    changed.loc[0, "region"] = "Another region"
    second = write(type(data)(changed, data.interviews, data.outcomes), tmp_path / "b")
    receipt = put(store, make_upload(second["visits"], second["interviews"]))
    visit_id = data.visits["visit_id"].iloc[0]
    n_interviews = int((data.interviews["visit_id"] == visit_id).sum())
    assert receipt.rejected == {"visits": 1, "interviews": n_interviews}
    assert receipt.unchanged == {"visits": 5, "interviews": len(data.interviews) - n_interviews}
    assert receipt.accepted == {"visits": 0, "interviews": 0}
    frame = receipt.rejected_frame()
    visits = frame[frame["table"] == "visits"]
    assert visits[["row", "column", "value", "reason"]].to_dict("records") == [
        {"row": 2, "column": "visit_id", "value": visit_id, "reason": ALREADY_STORED}]
    assert visits["message"].iloc[0] == (
        f"Visit '{visit_id}' is already stored and this row (or its interviews) differs from "
        "it; to replace it, tick 'This file corrects visits I uploaded before' on the upload "
        "page (in the API: correction=true) and upload again (the earlier version is kept in "
        "the history).")
    assert (frame.loc[frame["table"] == "interviews", "reason"] == "visit_rejected").all()
    assert visit_detail(store, visit_id)["visit"]["region"] == data.visits["region"].iloc[0]


def test_a_mix_of_new_and_stored_visits(store, tmp_path):
    data = generate(40, seed=8)
    first = write(type(data)(data.visits.iloc[:25], data.interviews.iloc[:0],
                             data.outcomes), tmp_path / "a")
    put(store, make_upload(first["visits"]))
    both = make_upload(write(data, tmp_path / "b")["visits"])
    receipt = put(store, both)
    assert receipt.accepted["visits"] == 15 and receipt.unchanged["visits"] == 25
    assert receipt.rejected["visits"] == 0 and receipt.new["visits"] == 15
    assert set(receipt.visit_tiers) == set(data.visits["visit_id"].iloc[25:])
    assert follow_up_frame(store, limit=100).attrs["total"] == 40


def test_correction_keeps_the_history(store, synthetic_upload, tmp_path):
    put(store, synthetic_upload)
    loaded = synthetic_upload.loaded
    corrected = loaded.visits.iloc[:2].copy()
    corrected["region"] = "Corrected region"
    fixed = loaded.__class__(visits=corrected.reset_index(drop=True),
                             interviews=loaded.interviews.iloc[:0], rejected=loaded.rejected,
                             rows_read={"visits": 2, "interviews": 0})
    screening = screen_frames(fixed.visits, fixed.interviews)
    receipt = store_api.store_upload(store, user=None, file_name="fix.csv", content=b"fix",
                                     loaded=fixed, screening=screening, correction=True)
    assert receipt.accepted["visits"] == 2 and receipt.is_correction
    assert receipt.corrected == {"visits": 2, "interviews": 0}
    assert receipt.new == {"visits": 0, "interviews": 0}
    visit_id = corrected["visit_id"].iloc[0]
    detail = visit_detail(store, visit_id)
    assert detail["visit"]["region"] == "Corrected region"
    assert [(v["version"], v["is_current"]) for v in detail["versions"]] == [
        (1, False), (2, True)]
    assert detail["interviews"] == []  # the correction carried no interviews
    with Session(store) as session:
        versions = session.scalars(select(Visit.region).where(Visit.visit_id == visit_id)
                                   .order_by(Visit.version)).all()
        assert versions == [loaded.visits["region"].iloc[0], "Corrected region"]
        assert session.scalar(select(ScreeningRow).join(Visit).where(
            Visit.visit_id == visit_id, Visit.is_current)) is not None
    assert follow_up_frame(store, limit=1000).attrs["total"] == len(loaded.visits)


def test_screening_must_match_the_upload(store, synthetic_upload, upload_with_errors):
    with pytest.raises(StoreError, match="The screening does not match the upload"):
        store_api.store_upload(store, user=None, file_name="x.csv", content=b"x",
                               loaded=synthetic_upload.loaded,
                               screening=upload_with_errors.screening)
    assert set(counts(store).values()) == {0}


def test_upload_joins_a_callers_session(store, upload_with_errors):
    with Session(store) as session:
        put(session, upload_with_errors)
        session.rollback()
    assert set(counts(store).values()) == {0}


def test_concurrent_uploads_store_a_file_once(store, synthetic_upload):
    barrier = threading.Barrier(4)

    def upload(_: int):
        barrier.wait()
        return put(store, synthetic_upload)

    with ThreadPoolExecutor(4) as pool:
        receipts = list(pool.map(upload, range(4)))
    assert sorted(r.repeat for r in receipts) == [False, True, True, True]
    assert len({r.upload_id for r in receipts}) == 1
    n = counts(store)
    assert (n["uploads"], n["visits"]) == (1, len(synthetic_upload.loaded.visits))


def test_concurrent_uploads_of_the_same_visits_store_them_once(store, synthetic_upload):
    barrier = threading.Barrier(3)

    def upload(i: int):
        barrier.wait()
        return put(store, synthetic_upload, content=f"copy {i}".encode())

    with ThreadPoolExecutor(3) as pool:
        receipts = list(pool.map(upload, range(3)))
    n_visits = len(synthetic_upload.loaded.visits)
    assert sorted(r.accepted["visits"] for r in receipts) == [0, 0, n_visits]
    assert counts(store)["visits"] == n_visits


def test_extra_columns_are_kept(store, tmp_path):
    data = generate(5, seed=3)
    data.visits["district_code"] = ["D1", "D2", None, "D4", "D5"]
    receipt = put(store, make_upload(write(data, tmp_path)["visits"]))
    assert receipt.accepted["visits"] == 5
    with Session(store) as session:
        extras = session.scalars(select(Visit.extra).order_by(Visit.id)).all()
    assert extras[0] == {"district_code": "D1"} and extras[2] is None


def test_json_rows_are_numbered_from_one(store, tmp_path):
    data = generate(6, seed=4)
    upload = make_upload(write(data, tmp_path / "a", fmt="json")["visits"])
    assert upload.file_name.endswith(".json")
    put(store, upload)
    changed = data.visits.assign(region="Changed")  # every stored visit changed: refused
    again = put(store, make_upload(write(type(data)(changed, data.interviews, data.outcomes),
                                         tmp_path / "b", fmt="json")["visits"]))
    visits = again.rejected_frame().query("table == 'visits'")
    assert visits["row"].tolist() == [1, 2, 3, 4, 5, 6]


def test_row_numbers_are_unknown_after_blank_rows(tmp_path):
    from screening.store.uploads import row_numbers

    path = tmp_path / "visits.csv"
    lines = (REPO / "examples" / "visits-with-errors.csv").read_text().splitlines()
    blank = "," * lines[0].count(",")
    path.write_text("\n".join([lines[0], lines[1], blank, *lines[2:]]) + "\n")
    loaded = make_upload(path).loaded
    assert loaded.blank_rows["visits"] == 1
    assert row_numbers(loaded, "visits", 2) is None
    clean = make_upload(REPO / "examples" / "visits-with-errors.csv").loaded
    assert row_numbers(clean, "visits", 2).tolist() == [9]
