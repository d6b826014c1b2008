"""The bulk paths: stored frames through Arrow equal the row-by-row read, uploads written in
bulk read back unchanged, and exports in keyset chunks give every row exactly once."""

from __future__ import annotations

import pandas as pd
import pytest
from storekit import make_upload, put, raw

from screening.store.entries import rebuild
from screening.store.frames import stored_frames, stored_frames_rows
from screening.store.listing import ListFilters, list_page
from screening.store.streaming import iter_list

VISITS = """visit_id,site_id,visit_date,inspector_id,region,sector,subsector,employer_id,\
workers_present,workers_without_contract,foreign_workers,foreign_workers_without_permit,\
minors_present,avg_weekly_hours,wage_arrears_months,below_minimum_wage,\
employer_holds_documents,notes,shoe_size
V1,S1,2025-03-01,I1,Baku,construction,residential,1000100,10,2,3,1,0,61.5,2,yes,,\
"Said ""no"", then left",42
V2,S2,2024-12-31,I2,Guba,agriculture,,,4,0,0,0,1,,,no,true,,
V3,S1,2025-01-15,I1,Şəki,services,hospitality,20-30,7,7,0,0,0,40,0.5,,false,Ünvan: kənd,
"""
INTERVIEWS = """visit_id,worker_ref,age,sex,foreign,has_written_contract,holds_own_documents,\
weekly_hours,wage_arrears_months,threatened
V1,W1,34,female,yes,no,false,70.5,3,true
V1,W2,,male,,,,,,
V3,W1,17,other,no,yes,true,40,,false
"""


@pytest.fixture
def hand_written(store, tmp_path):
    visits, interviews = tmp_path / "visits.csv", tmp_path / "interviews.csv"
    visits.write_text(VISITS, encoding="utf-8")
    interviews.write_text(INTERVIEWS, encoding="utf-8")
    upload = make_upload(visits, interviews)
    assert upload.loaded.rejected.empty, upload.loaded.rejected
    put(store, upload)
    return store, upload


def test_bulk_frames_equal_the_row_by_row_frames(hand_written):
    store, _ = hand_written
    bulk_v, bulk_i = stored_frames(store)
    rows_v, rows_i = stored_frames_rows(store)
    pd.testing.assert_frame_equal(bulk_v, rows_v)
    pd.testing.assert_frame_equal(bulk_i, rows_i)
    assert len(bulk_v) == 3 and len(bulk_i) == 3


def test_a_bulk_upload_reads_back_unchanged(hand_written):
    store, upload = hand_written
    visits, interviews = stored_frames(store)
    sent_v = upload.loaded.visits[visits.columns]
    pd.testing.assert_frame_equal(visits, sent_v, check_dtype=False)
    sent_i = upload.loaded.interviews[interviews.columns]
    pd.testing.assert_frame_equal(interviews, sent_i, check_dtype=False)
    assert visits.loc[0, "avg_weekly_hours"] == 61.5
    assert pd.isna(visits.loc[1, "avg_weekly_hours"])  # unknown stays unknown
    assert visits["region"].tolist() == ["Baku", "Guba", "Şəki"]
    assert visits.loc[0, "employer_holds_documents"] is pd.NA
    assert interviews.loc[1, "age"] is pd.NA or pd.isna(interviews.loc[1, "age"])
    extra = raw(store, "SELECT extra FROM visits WHERE visit_id = 'V1'").scalar()
    assert (extra if isinstance(extra, dict) else __import__("json").loads(extra)) == {
        "shoe_size": "42"}


def test_bulk_frames_of_an_empty_store(store):
    visits, interviews = stored_frames(store)
    assert visits.empty and interviews.empty
    assert list(visits.columns) == list(stored_frames_rows(store)[0].columns)


def test_export_gives_every_row_once_with_ties_and_inserts(store, synthetic_upload, tmp_path):
    put(store, synthetic_upload)
    raw(store, "UPDATE screenings SET risk_score = 0.5, tier = 'low', tier_rank = 0")
    rebuild(store)  # every visit ties on the whole sort key but the stored row
    before = list_page(store, per_page=1000)
    chunks = iter_list(store, chunk=7)
    seen = list(next(chunks)["visit_id"])
    # while the export runs, new visits arrive, before, after and among the rows exported
    more = tmp_path / "more.csv"
    more.write_text(
        "visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,"
        "workers_without_contract,foreign_workers,foreign_workers_without_permit,"
        "minors_present\n"
        + "".join(f"N{i},S{i},2025-01-0{i},I1,Baku,services,5,0,0,0,0\n" for i in range(1, 6)))
    put(store, make_upload(more))
    raw(store, "UPDATE screenings SET risk_score = 0.5, tier = 'low', tier_rank = 0")
    ranks = []
    for frame in chunks:
        seen += list(frame["visit_id"])
        ranks += list(frame["rank"])
    assert seen == before.rows["visit_id"].tolist()  # each once, in the list's order
    assert len(seen) == len(set(seen)) == 120
    assert ranks == list(range(8, 121))
    after = [v for f in iter_list(store, chunk=50) for v in f["visit_id"]]
    assert len(after) == len(set(after)) == 125


def test_export_follows_filters_and_sort(store, synthetic_upload):
    put(store, synthetic_upload)
    region = synthetic_upload.loaded.visits["region"].iloc[0]
    filters = ListFilters.of(region=region)
    exported = pd.concat(list(iter_list(store, filters, sort="date", chunk=4)))
    listed = list_page(store, filters, sort="date", per_page=1000).rows
    assert exported["visit_id"].tolist() == listed["visit_id"].tolist()
    assert exported["rank"].tolist() == listed["rank"].tolist()
    assert exported["within_capacity"].tolist() == listed["within_capacity"].tolist()
