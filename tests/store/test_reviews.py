"""Review events and the outcomes they give as training labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from storekit import put

from screening.store import (
    StoreError,
    UnknownVisitError,
    create_user,
    follow_up_frame,
    outcomes_frame,
    record_review,
    visit_detail,
)
from screening.store.tables import AuditEntry


@pytest.fixture
def stored(store, synthetic_upload):
    put(store, synthetic_upload)
    monitor, _ = create_user(store, "monitor", "monitor")
    return store, monitor, synthetic_upload.screening.follow_up


def test_review_events_accumulate(stored):
    store, monitor, ranked = stored
    visit_id = ranked["visit_id"].iloc[0]
    record_review(store, visit_id=visit_id, status="scheduled", reviewer=monitor,
                  scheduled_for=dt.date(2025, 4, 1), inspector="I-07")
    record_review(store, visit_id=visit_id, status="visited", reviewer=monitor,
                  inspector="I-07", notes="Workers interviewed off site.")
    record_review(store, visit_id=visit_id, status="decided", reviewer=monitor,
                  outcome="forced_labour", decided_on=dt.date(2025, 4, 20))
    reviews = visit_detail(store, visit_id)["reviews"]
    assert [r["status"] for r in reviews] == ["scheduled", "visited", "decided"]
    assert reviews[0]["scheduled_for"] == dt.date(2025, 4, 1)
    assert reviews[2]["outcome"] == "forced_labour" and reviews[2]["reviewer_id"] == monitor.id
    with Session(store) as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "visit")).all()
    assert actions == ["review"] * 3
    listed = follow_up_frame(store, limit=1)
    assert listed["review_status"].tolist() == ["decided"]
    assert listed["outcome"].tolist() == ["forced_labour"]


def test_outcomes_frame_gives_labels_with_selection(stored):
    store, monitor, ranked = stored
    explored = ranked[ranked["exploration"]]["visit_id"].tolist()
    chosen = [ranked["visit_id"].iloc[0], ranked["visit_id"].iloc[5], *explored[:1]]
    for i, visit_id in enumerate(chosen):
        record_review(store, visit_id=visit_id, status="decided", reviewer=monitor,
                      outcome="no_violation", decided_on=dt.date(2025, 5, 1 + i))
    record_review(store, visit_id=chosen[0], status="decided", reviewer=monitor,
                  outcome="labour_violation", decided_on=dt.date(2025, 6, 1))
    record_review(store, visit_id=ranked["visit_id"].iloc[9], status="scheduled",
                  scheduled_for=dt.date(2025, 7, 1))
    frame = outcomes_frame(store)
    assert list(frame.columns) == ["visit_id", "outcome", "decided_on", "source",
                                   "exploration", "selection_probability"]
    assert sorted(frame["visit_id"]) == sorted(chosen)
    assert (frame["source"] == "review").all()
    by_visit = frame.set_index("visit_id")
    assert by_visit.loc[chosen[0], "outcome"] == "labour_violation"  # the latest decision
    assert by_visit.loc[chosen[0], "decided_on"] == pd.Timestamp("2025-06-01")
    expected = ranked.set_index("visit_id").loc[chosen]
    assert by_visit.loc[chosen, "exploration"].tolist() == expected["exploration"].tolist()
    assert by_visit.loc[chosen, "selection_probability"].tolist() == pytest.approx(
        expected["selection_probability"].tolist())


def test_outcomes_frame_of_an_empty_store(store):
    frame = outcomes_frame(store)
    assert frame.empty and "selection_probability" in frame.columns


@pytest.mark.parametrize(("options", "message"), [
    ({"status": "decide"}, "The status must be one of scheduled, visited, decided. Got "
                           "'decide' instead. Did you mean 'decided'?"),
    ({"status": "decided"}, "A decided review needs an outcome"),
    ({"status": "decided", "outcome": "slavery"}, "The outcome must be one of forced_labour"),
    ({"status": "scheduled"}, "A scheduled review needs the date"),
    ({"status": "visited", "outcome": "no_violation"}, "Only a decided review has an outcome"),
], ids=["status", "no-outcome", "bad-outcome", "no-date", "outcome-too-early"])
def test_bad_reviews_are_refused(stored, options, message):
    store, _, ranked = stored
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace("?", r"\?")):
        record_review(store, visit_id=ranked["visit_id"].iloc[0], **options)


def test_review_of_an_unknown_visit_is_refused(stored):
    store, _, _ = stored
    with pytest.raises(UnknownVisitError, match="Visit 'V9999999' is not in the store."):
        record_review(store, visit_id="V9999999", status="visited")
    assert outcomes_frame(store).empty
