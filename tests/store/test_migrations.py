"""Migrations: applied from empty, idempotent, and in agreement with the table classes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from storekit import counts, raw

from screening.store import create_engine_for, migrate
from screening.store.engine import alembic_config
from screening.store.tables import Base

TABLES = {"uploads", "visits", "interviews", "rejected_rows", "screenings", "reviews", "users",
          "api_tokens", "audit_log"}


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_apply_from_empty(store_url):
    engine = create_engine_for(store_url)
    assert not set(inspect(engine).get_table_names()) & TABLES
    migrate(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head
    engine.dispose()


def test_migrations_are_idempotent_and_keep_data(store):
    raw(store, "INSERT INTO users (name, role, created_at, active) "
               "VALUES ('ana', 'monitor', CURRENT_TIMESTAMP, true)")
    before = current_revision(store)
    migrate(store)
    migrate(store)
    assert current_revision(store) == before
    assert counts(store)["users"] == 1


def test_migration_matches_the_table_classes(store):
    with store.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_audit_log_triggers_exist(store):
    if store.dialect.name == "sqlite":
        names = raw(store, "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
        assert {"audit_log_no_update", "audit_log_no_delete"} <= set(names)
    else:
        names = raw(store, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars()
        assert {"audit_log_no_change", "audit_log_no_truncate"} <= set(names)


def test_sqlite_is_wal_with_foreign_keys(tmp_path):
    engine = migrate(f"sqlite:///{tmp_path / 'deep' / 'store.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "deep" / "store.sqlite3").exists()
    engine.dispose()


def test_concurrent_first_starts_migrate_once(store_url):
    engines = [create_engine_for(store_url) for _ in range(3)]
    barrier = threading.Barrier(len(engines))

    def start(engine):
        barrier.wait()
        return migrate(engine)

    with ThreadPoolExecutor(len(engines)) as pool:
        list(pool.map(start, engines))
    assert TABLES <= set(inspect(engines[0]).get_table_names())
    for engine in engines:
        engine.dispose()
