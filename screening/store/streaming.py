"""The whole follow-up list read in keyset chunks inside one snapshot (the exports).

An export of a million visits cannot be one page, and pages by offset cost more the deeper
they go (the whole export is then quadratic). Here each chunk is the rows after the last key
of the one before (:mod:`screening.store.cursors`), read from the sort's index; all the chunks
are read in one transaction that sees the store as it was when the export began (a
``REPEATABLE READ`` transaction on PostgreSQL, a WAL read snapshot on SQLite): every visit
stored then comes exactly once, even when the sort key ties (the stored row breaks ties) and
while other users upload, correct and review meanwhile (which the export does not see).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from screening.pipeline import CAPACITY
from screening.store.cursors import Cursor, sort_of
from screening.store.listing import (
    LIST_COLUMNS,
    ListFilters,
    capacity_cutoff,
    conditions,
    details,
    entry_keys,
)

CHUNK_ROWS = 5_000
"""Rows per chunk of an export."""


@contextmanager
def snapshot(bind: Engine | Session) -> Iterator[Session]:
    """A read-only session that sees the store as it is now until it closes (a given session
    is used as it is)."""
    if isinstance(bind, Session):
        yield bind
        return
    connection = bind.connect()
    if bind.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    try:
        with connection.begin(), Session(bind=connection) as session:
            yield session
    finally:
        connection.close()


def iter_list(bind: Engine | Session, filters: ListFilters | None = None, *,
              sort: str = "priority", chunk: int = CHUNK_ROWS,
              capacity: float = CAPACITY) -> Iterator[pd.DataFrame]:
    """The whole filtered, sorted list as frames of at most ``chunk`` rows (columns
    :data:`~screening.store.listing.LIST_COLUMNS`, ranks running on from chunk to chunk).

    Raises
    ------
    StoreError
        A bad filter or sort (before the first chunk).
    """
    order, filters = sort_of(sort), filters or ListFilters()
    width = len(order.columns)
    with snapshot(bind) as session:
        where = conditions(filters, session.get_bind().dialect.name,
                           date_index="visit_date" in order.columns)
        _, _, cut = capacity_cutoff(session, capacity)
        after, rank = None, 0
        while True:
            got = entry_keys(session, order, where, after=after, limit=int(chunk))
            if not got:
                return
            rows = details(session, [g[0] for g in got])
            rows.insert(0, "rank", pd.RangeIndex(rank + 1, rank + 1 + len(rows)))
            rows["within_capacity"] = [cut is not None and g[1 + width] != 0
                                       and tuple(g[1 + width:]) <= cut for g in got]
            rank += len(rows)
            yield rows[list(LIST_COLUMNS)]
            if len(got) < chunk:
                return
            after = Cursor(order.name, "", tuple(got[-1][1:1 + width]), rank, False)


__all__ = ["CHUNK_ROWS", "iter_list", "snapshot"]
