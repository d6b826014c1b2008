"""Validated upload frames as Arrow tables for the bulk inserts of the store, and back as plain
rows for comparing an upload with the stored versions (:mod:`screening.store.compare`)."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa

from screening.ingest.records import ColumnSpec, Kind


def _values(series: pd.Series, kind: Kind | None) -> list:
    """Plain Python values for the database driver, ``None`` for unknown."""
    if kind is Kind.DATE:
        dates = pd.to_datetime(series)
        return [None if pd.isna(d) else d.date() for d in dates]
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


_ARROW_TYPES = {Kind.TEXT: pa.string(), Kind.CHOICE: pa.string(), Kind.INT: pa.int64(),
                Kind.NUMBER: pa.float64(), Kind.BOOL: pa.bool_(), Kind.DATE: pa.date32()}


def arrow_column(series: pd.Series, kind: pa.DataType) -> pa.Array:
    """One typed column as Arrow, unknown as null."""
    array = pa.Array.from_pandas(series)
    if pa.types.is_large_string(array.type) and not pa.types.is_string(kind):
        array = array.cast(pa.string())
    return array.cast(kind)


def records(frame: pd.DataFrame, specs: list[ColumnSpec], **constant: object) -> pa.Table:
    """Rows of a validated frame as an Arrow table for a bulk insert
    (:func:`screening.store.bulk.insert_arrow`); extra columns go to ``extra`` (JSON text).

    Examples
    --------
    >>> from screening.ingest.records import INTERVIEW_COLUMNS
    >>> frame = pd.DataFrame({"visit_id": ["V1"], "worker_ref": ["W1"], "age": [30],
    ...                       "shoe_size": ["42"]})
    >>> row = records(frame, INTERVIEW_COLUMNS[:3], visit_row_id=7).to_pylist()[0]
    >>> row["age"], row["extra"], row["visit_row_id"]
    (30, '{"shoe_size": "42"}', 7)
    """
    names = [s.name for s in specs]
    columns = {s.name: arrow_column(frame[s.name], _ARROW_TYPES[s.kind])
               for s in specs if s.name in frame}
    extras = [c for c in frame.columns if c not in names]
    texts: list[str | None] = [None] * len(frame)
    if extras:
        values = [_values(frame[c], None) for c in extras]
        for i in range(len(frame)):
            extra = {c: str(v[i]) for c, v in zip(extras, values, strict=True)
                     if v[i] is not None}
            texts[i] = json.dumps(extra) if extra else None
    columns["extra"] = pa.array(texts, pa.string())
    for name, value in constant.items():
        if isinstance(value, pa.Array):
            columns[name] = value
        else:
            columns[name] = pa.array([value] * len(frame))
    return pa.table(columns)



def plain_rows(table: pa.Table) -> list[dict]:
    """An Arrow table of :func:`records` as dict rows as the store reads them back (``extra``
    as a dict), for comparing with stored versions."""
    rows = table.to_pylist()
    for row in rows:
        if row.get("extra"):
            row["extra"] = json.loads(row["extra"])
    return rows



__all__ = ["arrow_column", "plain_rows", "records"]
