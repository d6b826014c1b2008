"""Users and API tokens: tokens are stored hashed, shown once, and authenticate their user."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from storekit import raw

from screening.store import (
    StoreError,
    authenticate,
    create_user,
    issue_token,
    revoke_token,
    transaction,
)
from screening.store.tables import ApiToken, AuditEntry, User


def test_token_is_stored_hashed_and_authenticates(store):
    user, token = create_user(store, "Aysel", "monitor")
    assert user.role == "monitor" and user.active
    assert len(token) >= 40
    rows = raw(store, "SELECT * FROM api_tokens").mappings().all()
    assert len(rows) == 1
    assert rows[0]["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0]["prefix"] == token[:8]
    assert all(token not in str(value) for value in rows[0].values())
    found = authenticate(store, token)
    assert found is not None and (found.id, found.name) == (user.id, "Aysel")


@pytest.mark.parametrize("wrong", ["", None, "not-a-token", "x' OR '1'='1"],
                         ids=["empty", "none", "unknown", "sql"])
def test_wrong_token_is_refused(store, wrong):
    _, token = create_user(store, "Aysel", "monitor")
    assert authenticate(store, wrong) is None
    assert authenticate(store, token[:-1]) is None
    assert authenticate(store, token + "x") is None


def test_revoked_token_and_inactive_user_are_refused(store):
    user, token = create_user(store, "Rauf", "inspector")
    second = issue_token(store, user)
    assert revoke_token(store, token[:8], by=user) == 1
    assert authenticate(store, token) is None
    assert authenticate(store, second) is not None
    with transaction(store) as session:
        session.get(User, user.id).active = False
    assert authenticate(store, second) is None


def test_user_creation_is_audited(store):
    admin, _ = create_user(store, "admin", "admin")
    user, _ = create_user(store, "Leyla", "analyst", by=admin)
    with Session(store) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        tokens = session.scalars(select(ApiToken)).all()
    assert [e.action for e in entries] == ["user.create", "user.create"]
    assert (entries[1].user_id, entries[1].object_id) == (admin.id, str(user.id))
    assert entries[1].details == {"name": "Leyla", "role": "analyst"}
    assert len(tokens) == 2


def test_bad_users_are_refused(store):
    with pytest.raises(StoreError, match="The role must be one of inspector, monitor, "
                                         "analyst, admin. Got 'monitr' instead. Did you mean "
                                         "'monitor'?"):
        create_user(store, "x", "monitr")
    with pytest.raises(StoreError, match="the name given is empty"):
        create_user(store, "  ", "monitor")
    create_user(store, "Aysel", "monitor")
    with pytest.raises(StoreError, match="A user named 'Aysel' already exists"):
        create_user(store, "Aysel", "admin")
    with pytest.raises(StoreError, match="A token prefix has 8 characters"):
        revoke_token(store, "abc")
