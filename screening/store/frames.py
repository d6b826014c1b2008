"""The stored visits and interviews as the typed frames the engine and training take.

:func:`stored_frames` reads them in bulk through Arrow (:mod:`screening.store.bulk`);
:func:`stored_frames_rows` is the row-by-row read through SQLAlchemy it replaced, kept as the
reference the bulk read is tested and benchmarked against.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, ColumnSpec, Kind
from screening.ingest.validation import validate_frame
from screening.store.bulk import as_pandas, read_arrow
from screening.store.engine import transaction
from screening.store.tables import Interview, Visit

_ARROW = {Kind.TEXT: pa.string(), Kind.CHOICE: pa.string(), Kind.INT: pa.int64(),
          Kind.NUMBER: pa.float64(), Kind.BOOL: pa.bool_(), Kind.DATE: pa.date32()}


def _schema(specs: list[ColumnSpec]) -> pa.Schema:
    return pa.schema([(s.name, _ARROW[s.kind]) for s in specs])


def _queries():  # noqa: ANN202 - the two SELECTs of the current visits and their interviews
    visits = (select(*(getattr(Visit, c.name) for c in VISIT_COLUMNS))
              .where(Visit.is_current).order_by(Visit.id))
    interviews = (select(*(getattr(Interview, c.name) for c in INTERVIEW_COLUMNS))
                  .join(Visit, Visit.id == Interview.visit_row_id)
                  .where(Visit.is_current).order_by(Interview.id))
    return visits, interviews


def _typed(visits: pd.DataFrame, interviews: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames through the same bulk validation as an upload (which types them; what was
    stored was valid, so nothing is rejected)."""
    typed_v, _ = validate_frame(visits, VISIT_COLUMNS, source="store", table="visits",
                                first_row=1)
    typed_i, _ = validate_frame(interviews, INTERVIEW_COLUMNS, source="store",
                                table="interviews", first_row=1,
                                unique=("visit_id", "worker_ref"))
    return typed_v, typed_i


def stored_frames(bind: Engine | Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current version of every stored visit and its interviews, typed like an upload.

    Read in bulk: ``COPY`` on PostgreSQL, batches on SQLite, through Arrow (both tables in one
    transaction, so they agree). The frames have the upload format's columns and dtypes, in
    the order the visits and interviews were stored.
    """
    query_v, query_i = _queries()
    with transaction(bind, write=False) as session:
        visits = read_arrow(session, query_v, _schema(VISIT_COLUMNS))
        interviews = read_arrow(session, query_i, _schema(INTERVIEW_COLUMNS))
    return _typed(as_pandas(visits), as_pandas(interviews))


def stored_frames_rows(bind: Engine | Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`stored_frames` read row by row through SQLAlchemy (the reference for tests and
    the bulk benchmark)."""
    query_v, query_i = _queries()
    with transaction(bind, write=False) as session:
        visits = pd.DataFrame(session.execute(query_v).all(),
                              columns=[c.name for c in VISIT_COLUMNS])
        interviews = pd.DataFrame(session.execute(query_i).all(),
                                  columns=[c.name for c in INTERVIEW_COLUMNS])
    return _typed(visits.astype(object), interviews.astype(object))


__all__ = ["stored_frames", "stored_frames_rows"]
