"""Which uploaded visits are identical to the version already stored (unchanged).

An inspector who fixes the rejected rows of a file and uploads the whole file again sends the
rows that were stored the first time as well. Those rows are neither new nor corrections: when
a visit's row and its interviews in the upload equal the current stored version, the visit is
*unchanged*; it is not stored again and not rejected, whether or not the upload is a
correction.

Equality is on the stored values (the upload's typed rows as they would be inserted): every
column of the upload format and the extra columns. A visit whose upload carries no interview
rows is compared on its row alone (its stored interviews stay); with interview rows, they must
be the same interviews (as a set: the order of the rows does not matter).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.store.tables import Interview, Visit

_CHUNK = 2000
VISIT_FIELDS: tuple[str, ...] = (*(s.name for s in VISIT_COLUMNS), "extra")
INTERVIEW_FIELDS: tuple[str, ...] = (*(s.name for s in INTERVIEW_COLUMNS), "extra")


def _plain(value: object) -> object:
    """A value in one form whatever produced it: numpy scalars as Python, a time at midnight
    as its date, whole floats as ints (``3.0 == 3``), a dict as sorted pairs (hashable).

    >>> _plain({"b": "2", "a": "1"}), _plain(3.0), _plain(None)
    ((('a', '1'), ('b', '2')), 3, None)
    """
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, dict):
        return tuple(sorted((str(k), str(v)) for k, v in value.items()))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def row_key(row: dict, fields: Iterable[str]) -> tuple:
    """The comparable form of one row (a dict of column -> value) over ``fields``.

    >>> row_key({"a": 1.0, "b": None}, ("a", "b", "c"))
    (1, None, None)
    """
    return tuple(_plain(row.get(name)) for name in fields)


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def unchanged_visits(session: Session, visit_rows: list[dict], interview_rows: list[dict],
                     stored: dict[str, tuple[int, int]]) -> set[str]:
    """The visit ids whose upload rows equal their current stored version.

    Parameters
    ----------
    session : Session
    visit_rows, interview_rows : list of dict
        The upload's valid rows as they would be inserted (``records`` of the store), with
        ``extra`` for the extra columns.
    stored : dict of str to (int, int)
        ``visit_id -> (row id, version)`` of the current stored versions.

    Returns
    -------
    set of str
    """
    candidates = [r for r in visit_rows if r["visit_id"] in stored]
    if not candidates:
        return set()
    by_row_id = {stored[r["visit_id"]][0]: r["visit_id"] for r in candidates}
    mine = {r["visit_id"]: row_key(r, VISIT_FIELDS) for r in candidates}
    table = Visit.__table__
    same: set[str] = set()
    for part in _chunks(list(by_row_id)):
        for row in session.execute(select(table).where(table.c.id.in_(part))).mappings():
            visit_id = by_row_id[row["id"]]
            if row_key(row, VISIT_FIELDS) == mine[visit_id]:
                same.add(visit_id)
    uploaded: dict[str, Counter] = {}
    for row in interview_rows:
        if row["visit_id"] in same:
            uploaded.setdefault(row["visit_id"], Counter())[row_key(row, INTERVIEW_FIELDS)] += 1
    if not uploaded:
        return same
    kept: dict[str, Counter] = {v: Counter() for v in uploaded}
    itable = Interview.__table__
    row_ids = [stored[v][0] for v in uploaded]
    for part in _chunks(row_ids):
        query = select(itable).where(itable.c.visit_row_id.in_(part))
        for row in session.execute(query).mappings():
            kept[row["visit_id"]][row_key(row, INTERVIEW_FIELDS)] += 1
    return {v for v in same if v not in uploaded or uploaded[v] == kept[v]}


__all__ = ["INTERVIEW_FIELDS", "VISIT_FIELDS", "row_key", "unchanged_visits"]
