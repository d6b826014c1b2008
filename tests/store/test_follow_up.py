"""The stored follow-up list: order, filters, pagination, harmless SQL metacharacters; detail."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from storekit import counts, put, raw

from screening.store import (
    NO_REVIEW,
    StoreError,
    UnknownVisitError,
    create_user,
    follow_up_frame,
    record_review,
    visit_detail,
)
from screening.store.entries import rebuild
from screening.store.queries import LIST_COLUMNS

TIER_RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
NASTY = ["x' OR '1'='1", "'; DROP TABLE visits; --", '" OR ""="', "%", "_", "\\", "Baku' --"]


@pytest.fixture
def stored(store, synthetic_upload):
    inspector, _ = create_user(store, "inspector", "inspector")
    put(store, synthetic_upload, user=inspector)
    return store, synthetic_upload.loaded.visits, inspector


def test_list_is_in_follow_up_order(stored, synthetic_upload):
    store, visits, _ = stored
    frame = follow_up_frame(store, limit=1000)
    assert list(frame.columns) == list(LIST_COLUMNS)
    assert frame.attrs["total"] == len(frame) == len(visits)
    assert frame["rank"].tolist() == list(range(1, len(visits) + 1))
    ranks = frame["tier"].map(TIER_RANK).to_numpy()
    assert (ranks[:-1] <= ranks[1:]).all()
    ranked = synthetic_upload.screening.follow_up
    assert frame["visit_id"].tolist() == ranked["visit_id"].tolist()
    assert (frame["review_status"] == NO_REVIEW).all()


def test_equal_risk_scores_keep_the_upload_order_as_the_pipeline_does(stored):
    """The store ranks as screening.priority.order: the rule score orders only visits without
    a risk score, so visits with the same risk score keep the upload's order."""
    import numpy as np

    from screening.priority import order

    store, visits, _ = stored
    raw(store, "UPDATE screenings SET risk_score = 0.5")
    rebuild(store)  # the list's entries, from the changed screenings
    frame = follow_up_frame(store, limit=1000)
    by_id = frame.set_index("visit_id")
    ids = visits["visit_id"].astype(object).to_numpy()  # the upload's order
    tier = by_id.loc[ids, "tier"].to_numpy(dtype=object)
    rule = by_id.loc[ids, "rule_score"].to_numpy(dtype="float64")
    expected = ids[order(tier, np.full(len(ids), 0.5), rule)].tolist()
    assert frame["visit_id"].tolist() == expected
    by_rule = ids[order(tier, np.full(len(ids), np.nan), rule)].tolist()
    assert expected != by_rule, "the case must tell the two orders apart"


def test_filters(stored):
    store, visits, inspector = stored
    region, sector = visits["region"].iloc[0], visits["sector"].iloc[0]
    by_region = follow_up_frame(store, region=region, limit=1000)
    assert set(by_region["region"]) == {region}
    assert len(by_region) == (visits["region"] == region).sum()
    both = follow_up_frame(store, region=[region], sector=sector, limit=1000)
    assert len(both) == ((visits["region"] == region) & (visits["sector"] == sector)).sum()
    low = follow_up_frame(store, tier=["low", "medium"], limit=1000)
    assert set(low["tier"]) <= {"low", "medium"} and len(low) > 0
    start, end = dt.date(2024, 6, 1), dt.date(2024, 12, 31)
    dated = follow_up_frame(store, date_from=start, date_to=end, limit=1000)
    within = visits["visit_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    assert len(dated) == within.sum()
    assert dated["visit_date"].between(pd.Timestamp(start), pd.Timestamp(end)).all()
    assert follow_up_frame(store, uploaded_by=inspector.id).attrs["total"] == len(visits)
    assert follow_up_frame(store, uploaded_by=inspector.id + 1).attrs["total"] == 0


def test_review_status_filter(stored):
    store, visits, _ = stored
    first, second = visits["visit_id"].iloc[0], visits["visit_id"].iloc[1]
    record_review(store, visit_id=first, status="scheduled", scheduled_for=dt.date(2025, 1, 9))
    record_review(store, visit_id=second, status="scheduled", scheduled_for=dt.date(2025, 1, 9))
    record_review(store, visit_id=second, status="decided", outcome="no_violation")
    assert follow_up_frame(store, review_status="scheduled")["visit_id"].tolist() == [first]
    assert follow_up_frame(store, review_status="decided")["visit_id"].tolist() == [second]
    pending = follow_up_frame(store, review_status=[NO_REVIEW, "scheduled"], limit=1000)
    assert len(pending) == len(visits) - 1 and second not in set(pending["visit_id"])
    assert follow_up_frame(store, review_status=NO_REVIEW).attrs["total"] == len(visits) - 2


def test_pagination(stored):
    store, visits, _ = stored
    whole = follow_up_frame(store, limit=1000)
    pages = [follow_up_frame(store, limit=25, offset=o) for o in range(0, len(visits), 25)]
    joined = pd.concat(pages, ignore_index=True)
    assert joined["visit_id"].tolist() == whole["visit_id"].tolist()
    assert joined["rank"].tolist() == whole["rank"].tolist()
    assert all(p.attrs["total"] == len(visits) for p in pages)
    assert follow_up_frame(store, limit=10, offset=10_000).empty
    by_date = follow_up_frame(store, sort="-visit_date", limit=1000)["visit_date"]
    assert by_date.is_monotonic_decreasing


@pytest.mark.parametrize("nasty", NASTY)
def test_sql_metacharacters_in_filters_are_harmless(stored, nasty):
    store, visits, _ = stored
    before = counts(store)
    assert follow_up_frame(store, region=nasty).empty
    assert follow_up_frame(store, region=[nasty, "nowhere"]).attrs["total"] == 0
    for name in ("sector", "tier", "review_status", "sort"):
        with pytest.raises(StoreError, match=f"The {name.replace('_', ' ')} must be one of"):
            follow_up_frame(store, **{name: nasty})
    with pytest.raises(UnknownVisitError):
        visit_detail(store, nasty)
    assert counts(store) == before
    assert follow_up_frame(store).attrs["total"] == len(visits)


def test_bad_page_is_refused(stored):
    store, _, _ = stored
    with pytest.raises(StoreError, match="The page must have a limit in 1..10000"):
        follow_up_frame(store, limit=0)
    with pytest.raises(StoreError, match="offset >= 0"):
        follow_up_frame(store, offset=-1)


def test_visit_detail(stored, synthetic_upload):
    store, visits, _ = stored
    interviews = synthetic_upload.loaded.interviews
    counts_per_visit = interviews["visit_id"].value_counts()
    visit_id = counts_per_visit.index[0]
    detail = visit_detail(store, visit_id)
    assert detail["visit"]["visit_id"] == visit_id
    assert len(detail["interviews"]) == counts_per_visit.iloc[0]
    assert {"worker_ref", "age", "sex", "holds_own_documents"} <= set(detail["interviews"][0])
    ranked = synthetic_upload.screening.follow_up.set_index("visit_id").loc[visit_id]
    screening = detail["screening"]
    assert screening["tier"] == ranked["tier"]
    assert screening["indicators"] == [i for i in ranked["indicators"].split(";") if i]
    assert screening["model_version"] is None and screening["risk_score"] is None
    assert [v["version"] for v in detail["versions"]] == [1]
    site = detail["visit"]["site_id"]
    others = visits[(visits["site_id"] == site) & (visits["visit_id"] != visit_id)]
    assert sorted(h["visit_id"] for h in detail["site_history"]) == sorted(others["visit_id"])
    dates = [h["visit_date"] for h in detail["site_history"]]
    assert dates == sorted(dates, reverse=True)
