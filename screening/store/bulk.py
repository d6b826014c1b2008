"""Move many rows between the store and Arrow in bulk: PostgreSQL ``COPY``, SQLite in batches.

Reading the stored visits through the ORM made a Python object of every row and every value;
here PostgreSQL streams the query's rows as CSV through ``COPY ... TO STDOUT`` into pyarrow's
multithreaded CSV reader, and SQLite hands its rows over in batches of
:data:`BATCH_ROWS` that become Arrow columns. Writing goes the other way: ``COPY ... FROM
STDIN`` with CSV written by pyarrow on PostgreSQL, batched ``executemany`` on SQLite. Both
run inside the caller's transaction.

Only statements without parameters are sent through ``COPY`` (their text is compiled with
the values written in, which is safe only for values the store itself chose).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Select, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

BATCH_ROWS = 50_000
"""Rows per batch read from SQLite (and per ``executemany`` written to it)."""


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _driver(session: Session):  # noqa: ANN202 - the DBAPI connection of the transaction
    return session.connection().connection.dbapi_connection


def _sql(session: Session, query: Select) -> str:
    compiled = query.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"literal_binds": True})
    return str(compiled)


def _from_python(values: list, kind: pa.DataType) -> pa.Array:
    """An Arrow column from SQLite's values: dates come as ISO text, true/false as 0/1."""
    if pa.types.is_date(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


def _sqlite_batches(session: Session, query: Select, schema: pa.Schema
                    ) -> Iterator[pa.RecordBatch]:
    cursor = _driver(session).cursor()
    try:
        cursor.execute(_sql(session, query))
        while rows := cursor.fetchmany(BATCH_ROWS):
            columns = list(zip(*rows, strict=True))
            yield pa.RecordBatch.from_arrays(
                [_from_python(list(c), f.type) for c, f in zip(columns, schema, strict=True)],
                schema=schema)
    finally:
        cursor.close()


def read_arrow(session: Session, query: Select, schema: pa.Schema) -> pa.Table:
    """The rows of ``query`` (a statement without parameters) as an Arrow table.

    Parameters
    ----------
    session : Session
        Read in its transaction.
    query : Select
        Its columns, in order, are the fields of ``schema``.
    schema : pyarrow.Schema
        Names and types of the columns: string, int64, float64, bool, date32.

    Returns
    -------
    pyarrow.Table
    """
    if _dialect(session) != "postgresql":
        return pa.Table.from_batches(list(_sqlite_batches(session, query, schema)), schema)
    buffer = io.BytesIO()
    with _driver(session).cursor() as cursor, cursor.copy(
            f"COPY ({_sql(session, query)}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return schema.empty_table()
    buffer.seek(0)
    return pacsv.read_csv(
        buffer, read_options=pacsv.ReadOptions(column_names=schema.names),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, true_values=["t"], false_values=["f"], null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=False))


def as_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as the typed frame an upload's reader makes (true/false with gaps as
    ``boolean``, text as pandas' ``str``)."""
    def mapped(kind: pa.DataType) -> object:
        if pa.types.is_boolean(kind):
            return pd.BooleanDtype()
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return pd.StringDtype("pyarrow", na_value=float("nan"))
        return None

    return table.to_pandas(types_mapper=mapped)


def _to_sqlite(column: pa.Array) -> list:
    """Python values as SQLAlchemy keeps them in SQLite: dates as ISO text, times as naive
    UTC text with microseconds, everything else as it is."""
    if pa.types.is_date(column.type):
        return column.cast(pa.string()).to_pylist()
    if pa.types.is_timestamp(column.type):
        return [None if t is None else t.strftime("%Y-%m-%d %H:%M:%S.%f")
                for t in column.to_pylist()]
    return column.to_pylist()


def insert_arrow(session: Session, table: Table, data: pa.Table) -> None:
    """Insert the rows of ``data`` (columns named as ``table``'s) into ``table``.

    PostgreSQL: one ``COPY ... FROM STDIN`` of CSV written by pyarrow; SQLite: ``executemany``
    in batches of :data:`BATCH_ROWS`. A database error is raised as SQLAlchemy's (for example
    :class:`sqlalchemy.exc.IntegrityError`), without the rows' values.
    """
    if not data.num_rows:
        return
    dbapi = session.get_bind().dialect.loaded_dbapi
    try:
        _insert(session, table, data)
    except dbapi.Error as error:
        raise DBAPIError.instance(f"bulk insert into {table.name}", None, error, dbapi.Error,
                                  hide_parameters=True) from None


def _insert(session: Session, table: Table, data: pa.Table) -> None:
    names = list(data.column_names)
    columns = ", ".join(f'"{n}"' for n in names)
    if _dialect(session) != "postgresql":
        statement = (f'INSERT INTO "{table.name}" ({columns}) '
                     f"VALUES ({', '.join('?' * len(names))})")
        cursor = _driver(session).cursor()
        try:
            for batch in data.to_batches(BATCH_ROWS):
                values = [_to_sqlite(batch.column(i)) for i in range(batch.num_columns)]
                cursor.executemany(statement, zip(*values, strict=True))
        finally:
            cursor.close()
        return
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False,
                                                     quoting_style="needed"))
    with _driver(session).cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
        view = buffer.getbuffer()
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start:start + (1 << 20)])
        view.release()


__all__ = ["BATCH_ROWS", "as_pandas", "insert_arrow", "read_arrow"]
