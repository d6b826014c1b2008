"""Passwords for the web pages (issue 12): argon2id hashes on the user, the length rule, one
answer for every failure, a rehash when the parameters change, a reset ends the sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from storekit import raw

from screening.store import StoreError, create_user, transaction
from screening.store.accounts import session_owner
from screening.store.passwords import (
    MIN_LENGTH,
    check_password_rules,
    hasher,
    open_password_session,
    set_password,
    verify_password,
)
from screening.store.tables import AuditEntry, User

GOOD = "four words on a phone"
DAY = dt.timedelta(days=1)


def stored_hash(engine, name: str) -> str | None:
    return raw(engine, "SELECT password_hash FROM users WHERE name = :n", n=name).scalar_one()


def test_the_password_is_stored_as_an_argon2id_hash_only(store):
    user, token = create_user(store, "aysel", "monitor", password=GOOD)
    digest = stored_hash(store, "aysel")
    assert digest.startswith("$argon2id$") and GOOD not in digest
    assert all(GOOD not in str(v) for v in raw(store, "SELECT * FROM users").mappings().one()
               .values())
    found = verify_password(store, "aysel", GOOD)
    assert found is not None and found.id == user.id
    assert len(token) >= 40, "the API token is still issued beside the password"


@pytest.mark.parametrize("password,reason", [
    ("a" * 5 + "b" * 9, "at least 15 characters; this one has 14"),
    ("", "at least 15 characters; this one has 0"),
    ("x" * 1025, "at most 1024 characters; this one has 1025"),
    ("z" * 20, "one character repeated"),
    ("Nigar Mammadova", "the user's own name"),
], ids=["14-characters", "empty", "too-long", "repeated", "own-name"])
def test_a_password_that_breaks_a_rule_is_refused_saying_why(store, password, reason):
    with pytest.raises(StoreError, match=reason):
        create_user(store, "nigar mammadova", "inspector", password=password)
    assert raw(store, "SELECT count(*) FROM users").scalar_one() == 0, "no user half-made"


def test_fifteen_characters_are_enough_and_every_character_counts_once():
    assert MIN_LENGTH == 15
    check_password_rules("aysel", "abcdefghijklmno")
    check_password_rules("aysel", "şəhər gözəldir!")  # 15 code points, not bytes
    with pytest.raises(StoreError, match="this one has 14"):
        check_password_rules("aysel", "şəhər gözəldir")


def test_a_password_typed_in_another_unicode_form_still_matches(store):
    """NFKC before hashing: full-width letters (a phone keyboard's) match the plain ones."""
    create_user(store, "aysel", "monitor", password="ｆｏｕｒ ｗｏｒｄｓ ｏｎ ａ ｐｈｏｎｅ")
    assert verify_password(store, "aysel", GOOD) is not None


def test_every_failure_answers_none(store):
    create_user(store, "aysel", "monitor", password=GOOD)
    create_user(store, "script", "analyst")  # token only: no password
    create_user(store, "left", "monitor", password=GOOD)
    with transaction(store) as db:
        db.scalar(select(User).where(User.name == "left")).active = False
    assert verify_password(store, "aysel", GOOD + "!") is None, "wrong password"
    assert verify_password(store, "nobody", GOOD) is None, "unknown name"
    assert verify_password(store, "script", GOOD) is None, "a user without a password"
    assert verify_password(store, "left", GOOD) is None, "a deactivated user"
    assert verify_password(store, "", GOOD) is None and verify_password(store, "aysel", "") is None
    assert verify_password(store, " aysel ", GOOD) is not None, "spaces around the name"


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(store):
    create_user(store, "aysel", "monitor")
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(GOOD)
    raw(store, "UPDATE users SET password_hash = :h WHERE name = 'aysel'", h=old)
    assert hasher.check_needs_rehash(old)
    assert verify_password(store, "aysel", GOOD + "x") is None
    assert stored_hash(store, "aysel") == old, "a wrong password changes nothing"
    assert verify_password(store, "aysel", GOOD) is not None
    new = stored_hash(store, "aysel")
    assert new != old and not hasher.check_needs_rehash(new)
    assert hasher.verify(new, GOOD)


def test_setting_a_password_ends_the_users_open_sessions_and_is_audited(store):
    user, _ = create_user(store, "aysel", "monitor", password=GOOD)
    opened = open_password_session(store, "aysel", GOOD)
    assert opened is not None
    _, secret = opened
    assert session_owner(store, secret, DAY).id == user.id
    assert set_password(store, "aysel", "another four words here") == 1
    assert session_owner(store, secret, DAY) is None, "a reset password ends the session"
    assert verify_password(store, "aysel", GOOD) is None
    assert verify_password(store, "aysel", "another four words here") is not None
    with transaction(store, write=False) as db:
        actions = [(a.action, a.details) for a in db.scalars(select(AuditEntry)
                                                            .order_by(AuditEntry.id))]
    assert ("user.password", {"sessions_ended": 1}) in actions
    assert ("sign_in", {"via": "web", "method": "password"}) in actions


def test_setting_a_password_of_nobody_or_a_bad_one_says_so(store):
    create_user(store, "aysel", "monitor")
    with pytest.raises(StoreError, match="No user is named 'aysle'"):
        set_password(store, "aysle", GOOD)
    with pytest.raises(StoreError, match="at least 15 characters"):
        set_password(store, "aysel", "short")
    assert stored_hash(store, "aysel") is None


def test_a_burst_of_sign_ins_hashes_a_few_at_a_time(monkeypatch):
    """Each argon2 hash takes 64 MiB: forty sign-ins at once must not take forty times that."""
    import threading
    import time

    from screening.store import passwords

    running, most, lock = 0, 0, threading.Lock()

    class Counting:
        def hash(self, password: str) -> str:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return "$argon2id$counted"

    monkeypatch.setattr(passwords, "hasher", Counting())
    threads = [threading.Thread(target=passwords.hash_password, args=("aysel", GOOD))
               for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= most <= passwords._CORES < 12
