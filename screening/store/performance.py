"""Read what the follow-ups decided, beside how the list served each visit (for live
performance): one row per decided visit."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from screening.store.engine import transaction
from screening.store.reviews import latest_screening
from screening.store.tables import Review, ScreeningRow, Visit

DECIDED_COLUMNS: tuple[str, ...] = (
    "visit_id", "visit_date", "sector", "region", "tier", "risk_score", "rule_score",
    "selected", "exploration", "selection_probability", "model_version", "outcome",
    "decided_on",
)  # fmt: skip
"""Columns of :func:`decided_visits`."""


def decided_visits(bind: Engine | Session) -> pd.DataFrame:
    """Every visit whose follow-up was decided (its latest decision), with the latest
    screening of its current version: tier, scores and how the list selected it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DECIDED_COLUMNS`; ``visit_date`` and ``decided_on`` as datetimes.
    """
    decided = (select(Review.visit_id, func.max(Review.id).label("rid"))
               .where(Review.status == "decided").group_by(Review.visit_id)
               .subquery("decided"))
    s = ScreeningRow
    query = (
        select(Visit.visit_id, Visit.visit_date, Visit.sector, Visit.region, s.tier,
               s.risk_score, s.rule_score, s.selected, s.exploration, s.selection_probability,
               s.model_version, Review.outcome, Review.decided_on)
        .join(decided, decided.c.visit_id == Visit.visit_id)
        .join(Review, Review.id == decided.c.rid)
        .join(s, latest_screening())
        .where(Visit.is_current)
        .order_by(Visit.visit_date, Visit.id)
    )
    with transaction(bind, write=False) as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(DECIDED_COLUMNS))
    frame["visit_date"] = pd.to_datetime(frame["visit_date"])
    frame["decided_on"] = pd.to_datetime(frame["decided_on"])
    frame["risk_score"] = frame["risk_score"].astype("float64")
    frame["selection_probability"] = frame["selection_probability"].astype("float64")
    return frame


__all__ = ["DECIDED_COLUMNS", "decided_visits"]
