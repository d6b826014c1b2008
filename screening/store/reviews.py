"""The follow-up review workflow: scheduled, visited, decided; outcomes as training labels."""

from __future__ import annotations

import datetime as dt
import difflib

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from screening.errors import StoreError, UnknownVisitError
from screening.ingest.records import OUTCOMES
from screening.store.accounts import audit, user_id_of
from screening.store.engine import check_text, transaction
from screening.store.entries import lock_entry, set_review
from screening.store.tables import REVIEW_STATUSES, Review, ScreeningRow, User, Visit


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is allowed, else raise a :class:`StoreError` with a suggestion.

    Examples
    --------
    >>> check_choice("status", "decided", REVIEW_STATUSES)
    'decided'
    >>> check_choice("status", "decide", REVIEW_STATUSES)
    Traceback (most recent call last):
    ...
    screening.errors.StoreError: The status must be one of scheduled, visited, decided. \
Got 'decide' instead. Did you mean 'decided'?
    """
    if value in allowed:
        return str(value)
    close = difflib.get_close_matches(str(value), allowed, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise StoreError(f"The {name} must be one of {', '.join(allowed)}. Got '{value}' instead."
                     + hint)


def record_review(bind: Session | Engine, *, visit_id: str, status: str,
                  reviewer: User | int | None = None, scheduled_for: dt.date | None = None,
                  inspector: str | None = None, outcome: str | None = None,
                  notes: str | None = None, decided_on: dt.date | None = None) -> Review:
    """Record one event of a visit's follow-up review (events accumulate; none is overwritten).

    Parameters
    ----------
    bind : Session or Engine
        With a session, the caller commits.
    visit_id : str
        A stored visit.
    status : {"scheduled", "visited", "decided"}
    reviewer : User or int, optional
        Who records the event (monitoring centre).
    scheduled_for : date, optional
        Required when ``status="scheduled"``.
    inspector : str, optional
        Who will visit or visited.
    outcome : {"forced_labour", "labour_violation", "no_violation"}, optional
        Required when, and only allowed when, ``status="decided"``.
    notes : str, optional
    decided_on : date, optional
        When the outcome was decided; today by default for a decision.

    Returns
    -------
    Review

    Raises
    ------
    StoreError
        Unknown status or outcome, a missing date or outcome, or an unknown visit
        (:class:`UnknownVisitError`).
    """
    check_choice("status", status, REVIEW_STATUSES)
    check_text("visit_id", visit_id, line=True)
    check_text("inspector", inspector, limit=200, line=True)
    check_text("notes", notes, limit=20_000)
    if status == "scheduled" and scheduled_for is None:
        raise StoreError("A scheduled review needs the date it is scheduled for "
                         "(scheduled_for); none was given.")
    if status == "decided":
        if outcome is None:
            raise StoreError("A decided review needs an outcome (forced_labour, "
                             "labour_violation or no_violation); none was given.")
        check_choice("outcome", outcome, OUTCOMES)
        decided_on = decided_on or dt.date.today()
    elif outcome is not None or decided_on is not None:
        raise StoreError(f"Only a decided review has an outcome and a decision date; this "
                         f"review's status is '{status}'.")
    with transaction(bind) as session:
        if session.scalar(select(Visit.id).where(Visit.visit_id == visit_id).limit(1)) is None:
            raise UnknownVisitError(visit_id)
        lock_entry(session, visit_id)  # reviews of one visit one after the other
        review = Review(visit_id=visit_id, status=status, scheduled_for=scheduled_for,
                        inspector=inspector, outcome=outcome, notes=notes,
                        decided_on=decided_on, reviewer_id=user_id_of(reviewer))
        session.add(review)
        session.flush()
        set_review(session, visit_id, status)
        audit(session, reviewer, "review", "visit", visit_id, review_id=review.id,
              status=status, outcome=outcome)
    return review


def latest_screening():
    """Join condition: the latest screening of the visit version (``ScreeningRow.is_latest``)."""
    return (ScreeningRow.visit_row_id == Visit.id) & ScreeningRow.is_latest


def outcomes_frame(bind: Engine | Session) -> pd.DataFrame:
    """The decided outcomes in the store as training labels, one row per visit.

    The latest decision of each visit counts. The exploration flag and selection probability
    come from the latest screening of the visit's current version, so training can weight
    outcomes by the inverse of the probability (``screening train --ipw``).

    Parameters
    ----------
    bind : Engine or Session

    Returns
    -------
    pandas.DataFrame
        Columns ``visit_id, outcome, decided_on, source, exploration,
        selection_probability``; ``source`` is ``"review"``.
    """
    decided = (select(Review.visit_id, func.max(Review.id).label("rid"))
               .where(Review.status == "decided").group_by(Review.visit_id)
               .subquery("decided"))
    query = (
        select(Review.visit_id, Review.outcome, Review.decided_on,
               ScreeningRow.exploration, ScreeningRow.selection_probability)
        .join(decided, decided.c.rid == Review.id)
        .outerjoin(Visit, (Visit.visit_id == Review.visit_id) & Visit.is_current)
        .outerjoin(ScreeningRow, latest_screening())
        .order_by(Review.decided_on, Review.visit_id)
    )
    with transaction(bind, write=False) as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["visit_id", "outcome", "decided_on", "exploration",
                                        "selection_probability"])
    frame.insert(3, "source", "review")
    frame["decided_on"] = pd.to_datetime(frame["decided_on"]).astype("datetime64[ns]")
    frame["exploration"] = frame["exploration"].astype("boolean")
    frame["selection_probability"] = frame["selection_probability"].astype("float64")
    for name in ("visit_id", "outcome", "source"):
        frame[name] = frame[name].astype("str")
    return frame


def review_notes(bind: Engine | Session, visit_ids: list[str],
                 chunk: int = 2000) -> dict[str, str]:
    """The notes of each visit's latest review event that has notes (visits without any are
    left out), read ``chunk`` visit ids at a time (bound parameters, never SQL text)."""
    found: dict[str, str] = {}
    with transaction(bind, write=False) as session:
        for start in range(0, len(visit_ids), chunk):
            ids = visit_ids[start:start + chunk]
            latest = (select(Review.visit_id, func.max(Review.id).label("rid"))
                      .where(Review.visit_id.in_(ids), Review.notes.is_not(None),
                             Review.notes != "")
                      .group_by(Review.visit_id).subquery("noted"))
            rows = session.execute(select(Review.visit_id, Review.notes)
                                   .join(latest, Review.id == latest.c.rid))
            found.update({visit_id: notes for visit_id, notes in rows})
    return found


__all__ = ["UnknownVisitError", "check_choice", "latest_screening", "outcomes_frame",
           "record_review", "review_notes"]
