"""The audit log is append-only: the ORM and the database both refuse UPDATE and DELETE."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from storekit import counts

from screening.store import APPEND_ONLY_MESSAGE, AppendOnlyError, audit, transaction
from screening.store.tables import AuditEntry


@pytest.fixture
def logged(store):
    with transaction(store) as session:
        audit(session, None, "export", "follow_up", None, rows=10)
        audit(session, None, "sign_in", "user", 1)
    return store


def test_entries_are_appended(logged):
    with Session(logged) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.details) for e in entries] == [("export", {"rows": 10}),
                                                        ("sign_in", {})]
    assert entries[0].at is not None


def test_orm_update_is_refused(logged):
    with Session(logged) as session:
        entry = session.scalars(select(AuditEntry)).first()
        entry.action = "nothing happened"
        with pytest.raises(AppendOnlyError, match="append-only"):
            session.flush()


def test_orm_delete_is_refused(logged):
    with Session(logged) as session:
        session.delete(session.scalars(select(AuditEntry)).first())
        with pytest.raises(AppendOnlyError, match="append-only"):
            session.flush()


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(action="x"), delete(AuditEntry)], ids=["update", "delete"])
def test_orm_bulk_statements_are_refused(logged, statement):
    with Session(logged) as session, pytest.raises(AppendOnlyError, match="append-only"):
        session.execute(statement)
    assert counts(logged)["audit_log"] == 2


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log",
    "UPDATE audit_log SET details = '{}' WHERE id = 1"], ids=["update", "delete", "one-row"])
def test_raw_sql_is_refused_by_the_trigger(logged, sql):
    with pytest.raises(DBAPIError, match="append-only"), logged.begin() as connection:
        connection.execute(text(sql))
    with logged.connect() as connection:
        actions = connection.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars()
        assert list(actions) == ["export", "sign_in"]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_truncate_is_refused_on_postgresql(logged):
    with pytest.raises(DBAPIError, match="append-only"), logged.begin() as connection:
        connection.execute(text("TRUNCATE audit_log CASCADE"))
    assert counts(logged)["audit_log"] == 2


def test_message_is_a_sentence():
    assert APPEND_ONLY_MESSAGE.endswith(".") and APPEND_ONLY_MESSAGE[0].isupper()
