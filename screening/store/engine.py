"""Engines for SQLite and PostgreSQL, migrations and transactions.

Where the store is comes from :mod:`screening.settings`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from screening.errors import StoreError
from screening.settings import Settings, load_settings, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x5C12EE17  # advisory lock key of the store's migrations on PostgreSQL


def _wal(cursor) -> None:  # noqa: ANN001
    """Switch the file to WAL. SQLite does not wait for the lock this needs when another
    connection is starting at the same moment, so retry for a while (the mode is kept in the
    file: once one connection has switched it, the others find it switched)."""
    import sqlite3
    import time

    for _ in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA journal_mode=WAL")


def _private_file(path: Path) -> None:
    """Create the SQLite file readable and writable by its owner only (0600; SQLite gives its
    -wal and -shm files the same mode), and tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.chmod(0o600)
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_events(engine: Engine) -> None:
    """WAL, foreign keys, and transactions that SQLite really begins (DDL included)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        # wait for a busy database first: switching to WAL needs the lock another starting
        # process may hold for a moment
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        _wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def check_text(field: str, value: str | None, *, limit: int | None = None,
               line: bool = False) -> None:
    """Refuse text that the store cannot keep, or that is too long, naming the field.

    A NUL character cannot be stored in a PostgreSQL text column; ``line`` text (a name, an id)
    also may not hold other control characters.

    Raises
    ------
    StoreError
        Naming the field, the limit or the character.

    Examples
    --------
    >>> check_text("notes", "fine and long")
    >>> check_text("name", "x" * 300, limit=200)
    Traceback (most recent call last):
    ...
    screening.errors.StoreError: The name is 300 characters long; at most 200 are allowed.
    """
    if value is None:
        return
    if limit is not None and len(value) > limit:
        raise StoreError(f"The {field} is {len(value)} characters long; at most {limit} are "
                         "allowed.")
    bad = next((c for c in value if c == "\x00" or (line and (ord(c) < 32 or ord(c) == 127))),
               None)
    if bad is not None:
        raise StoreError(f"The {field} holds the control character {bad!r} at position "
                         f"{value.index(bad) + 1}; remove it.")


def create_engine_for(settings: Settings | str | URL | None = None, **options) -> Engine:
    """Create the SQLAlchemy engine of the store.

    For SQLite the folder of the file is created, the file is readable by its owner only
    (0600), the journal is WAL and foreign keys are enforced on every connection. Database
    errors never show the statement's values (``hide_parameters``).

    Parameters
    ----------
    settings : Settings or str or URL, optional
        Settings, or a database URL; default: the settings of the environment.
    **options
        Passed to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    sqlalchemy.Engine

    Examples
    --------
    >>> engine = create_engine_for("sqlite://")
    >>> with engine.connect() as c:
    ...     c.exec_driver_sql("PRAGMA foreign_keys").scalar()
    1
    """
    if settings is None:
        settings = load_settings()
    url = make_url(settings.url if isinstance(settings, Settings) else normalise_url(settings))
    # a database error's message never carries the statement's values (a review's notes, a
    # worker's answers): they would reach the server log
    options.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            _private_file(Path(url.database))
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **options)
        _sqlite_events(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def alembic_config() -> Config:
    """The Alembic configuration of the store, built in code (no ``alembic.ini``).

    Returns
    -------
    alembic.config.Config
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(target: Engine | Settings | str | URL | None = None,
            revision: str = "head") -> Engine:
    """Bring the store's schema up to ``revision`` (applied migrations are skipped).

    Parameters
    ----------
    target : Engine or Settings or str or URL, optional
        The store; default: the settings of the environment.
    revision : str
        Alembic revision to upgrade to.

    Returns
    -------
    sqlalchemy.Engine
        The engine used (created when a URL or settings were given).
    """
    engine = target if isinstance(target, Engine) else create_engine_for(target)
    config = alembic_config()
    # One migrating process at a time: SQLite takes its write lock at BEGIN, PostgreSQL a
    # transaction-level advisory lock; a second process then finds the schema up to date.
    with engine.execution_options(write=True).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


@contextmanager
def transaction(bind: Engine | Session, *, write: bool = True) -> Iterator[Session]:
    """A session inside one transaction: committed at the end, rolled back on any error.

    Given an engine, a new session is opened and committed here (on SQLite a writing
    transaction takes the write lock at once, so concurrent writers wait instead of failing).
    Given a session, its current transaction is used and the caller commits.

    Parameters
    ----------
    bind : Engine or Session
    write : bool
        The transaction will write.

    Yields
    ------
    sqlalchemy.orm.Session
    """
    if isinstance(bind, Session):
        yield bind
        bind.flush()
        return
    engine = bind.execution_options(write=True) if write else bind
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


__all__ = ["StoreError", "alembic_config", "check_text", "create_engine_for", "migrate",
           "normalise_url", "transaction"]
