"""The stored visits and interviews as the typed frames the engine and training take."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.ingest.validation import validate_frame
from screening.store.engine import transaction
from screening.store.tables import Interview, Visit


def stored_frames(bind: Engine | Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current version of every stored visit and its interviews, typed like an upload.

    The rows pass through the same bulk validation as an upload, so the frames have the
    upload format's columns and dtypes (what was stored was valid, so nothing is rejected).
    """
    visit_columns = [getattr(Visit, c.name) for c in VISIT_COLUMNS]
    interview_columns = [getattr(Interview, c.name) for c in INTERVIEW_COLUMNS]
    with transaction(bind, write=False) as session:
        visits = pd.DataFrame(session.execute(
            select(*visit_columns).where(Visit.is_current).order_by(Visit.id)).all(),
            columns=[c.name for c in VISIT_COLUMNS])
        interviews = pd.DataFrame(session.execute(
            select(*interview_columns).join(Visit, Visit.id == Interview.visit_row_id)
            .where(Visit.is_current).order_by(Interview.id)).all(),
            columns=[c.name for c in INTERVIEW_COLUMNS])
    typed_v, _ = validate_frame(visits.astype(object), VISIT_COLUMNS, source="store",
                                table="visits", first_row=1)
    typed_i, _ = validate_frame(interviews.astype(object), INTERVIEW_COLUMNS, source="store",
                                table="interviews", first_row=1, unique=("visit_id", "worker_ref"))
    return typed_v, typed_i


__all__ = ["stored_frames"]
