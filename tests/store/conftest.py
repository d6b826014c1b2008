"""Store fixtures: a fresh store on SQLite (a temporary file) and on PostgreSQL, and uploads.

The PostgreSQL cases use one database created for the test session (dropped afterwards) and a
fresh schema per test. When no server answers at ``SCREENING_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) they are skipped, and ``-ra`` says why.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from storekit import REPO, UploadFiles, make_upload

from screening.datasets.synthetic import generate, write
from screening.store import create_engine_for, migrate
from screening.store.engine import normalise_url

ADMIN_URL = normalise_url(os.environ.get("SCREENING_TEST_POSTGRES_URL",
                                         "postgresql://postgres@127.0.0.1:5432/test"))


def render(url) -> str:
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database():
    """A PostgreSQL database for this test session (skips when no server answers)."""
    admin_url = make_url(ADMIN_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    name = f"screening_store_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - any failure to reach the server means skip
        admin.dispose()
        cause = str(getattr(error, "orig", None) or error).strip()
        reason = cause.splitlines()[0] if cause else type(error).__name__
        pytest.skip(f"PostgreSQL is not reachable at {admin_url.host}:{admin_url.port or 5432} "
                    f"({reason}); the store tests on PostgreSQL were skipped.")
    yield admin_url.set(database=name)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The URL of an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    database = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    owner = create_engine(database, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield render(database.update_query_dict({"options": f"-csearch_path={schema}"}))
    with owner.connect() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    owner.dispose()


@pytest.fixture
def store(store_url) -> Engine:
    """A migrated, empty store."""
    engine = migrate(create_engine_for(store_url))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def synthetic_paths(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    return write(generate(120, seed=5), folder)


@pytest.fixture(scope="session")
def synthetic_upload(synthetic_paths) -> UploadFiles:
    """120 synthetic visits and their interviews, loaded and screened."""
    return make_upload(synthetic_paths["visits"], synthetic_paths["interviews"])


@pytest.fixture(scope="session")
def upload_with_errors() -> UploadFiles:
    """``examples/visits-with-errors.csv``: 8 visit rows, 7 of them rejected."""
    return make_upload(REPO / "examples" / "visits-with-errors.csv")
