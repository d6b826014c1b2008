"""Sessions kept in the store and failed sign-ins (issue 11): sign-out and token revocation end
a session at once, even a copied cookie; failed sign-ins are audited and limited. Sign-in by
name and password (issue 12): one answer for every failure, limited per user name."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user, revoke_token, transaction
from screening.store.passwords import set_password
from screening.store.tables import AuditEntry
from tests.web.conftest import csrf_of, sign_in, sign_in_with_password


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(data_dir=tmp_path, sign_in_limit_account="3/minute",
                               sign_in_limit_address="5/minute"))


def test_a_copied_cookie_stops_working_at_sign_out(app):
    """Finding: a copied session cookie kept working after sign-out."""
    _, token = create_user(app.state.services.engine, "m", "monitor")
    browser = TestClient(app)
    assert sign_in(browser, token).status_code == 303
    copied = TestClient(app, cookies=dict(browser.cookies))
    assert copied.get("/list").status_code == 200
    page = browser.get("/list")
    browser.post("/sign-out", data={"csrf": csrf_of(page.text)})
    stolen = copied.get("/list", follow_redirects=False)
    assert stolen.status_code == 303 and stolen.headers["location"].startswith("/sign-in")


def test_revoking_the_token_ends_its_sessions_at_once(app):
    """Finding: a session outlived its revoked token for up to 12 hours."""
    engine = app.state.services.engine
    _, token = create_user(engine, "m", "monitor")
    browser = TestClient(app)
    assert sign_in(browser, token).status_code == 303
    assert browser.get("/list").status_code == 200
    assert revoke_token(engine, token[:8]) == 1
    assert browser.get("/list", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_audited_and_limited_per_account(app):
    """Finding: 300 wrong attempts in 1.8 s, nothing audited and nothing limited."""
    engine = app.state.services.engine
    _, token = create_user(engine, "m", "monitor")
    wrong = token[:8] + "x" * 30  # someone guessing at this account
    browser = TestClient(app)
    answers = [sign_in(browser, wrong).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    limited = sign_in(browser, token)  # the right token too: the account is closed for now
    assert limited.status_code == 429 and "try again in" in limited.text
    with transaction(engine, write=False) as db:
        failed = db.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in.failed")).all()
    assert len(failed) == 3
    assert failed[0].details["prefix"] == token[:8] and wrong not in str(failed[0].details)
    assert failed[0].object_id is not None  # the account guessed at is named


def test_failed_api_tokens_are_limited_per_address(app):
    client = TestClient(app)
    answers = [client.get("/api/v1/visits",
                          headers={"Authorization": f"Bearer g{i:07d}-abcdefgh"}).status_code
               for i in range(7)]
    assert answers == [401] * 5 + [429] * 2
    body = client.get("/api/v1/visits", headers={"Authorization": "Bearer again"}).json()
    assert body["error"]["code"] == "too_many" and "try again in" in body["error"]["message"]


# --- sign-in by name and password (issue 12) -------------------------------------------------

PASSWORD = "four words on a phone"


def failed_audits(engine) -> list[AuditEntry]:
    with transaction(engine, write=False) as db:
        return db.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in.failed")
                          .order_by(AuditEntry.id)).all()


def test_the_sign_in_form_asks_for_a_name_and_password(app):
    page = TestClient(app).get("/sign-in")
    assert 'id="name"' in page.text and 'autocomplete="username"' in page.text
    assert 'id="password"' in page.text and 'autocomplete="current-password"' in page.text
    assert 'id="token"' not in page.text
    assert 'href="/sign-in?with=token"' in page.text, "the token form stays one link away"
    token_form = TestClient(app).get("/sign-in?with=token&next=/list")
    assert 'id="token"' in token_form.text and 'id="password"' not in token_form.text
    assert 'href="/sign-in?next=/list"' in token_form.text


def test_a_name_and_password_sign_in_and_go_home(app):
    engine = app.state.services.engine
    create_user(engine, "aysel", "inspector", password=PASSWORD)
    browser = TestClient(app)
    answer = sign_in_with_password(browser, "aysel", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/upload"
    assert PASSWORD not in answer.headers["set-cookie"]
    assert browser.get("/upload").status_code == 200
    with transaction(engine, write=False) as db:
        signed = db.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in")).all()
    assert [e.details for e in signed] == [{"via": "web", "method": "password"}]


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(app):
    engine = app.state.services.engine
    create_user(engine, "aysel", "monitor", password=PASSWORD)
    wrong = sign_in_with_password(TestClient(app), "aysel", PASSWORD + "!")
    nobody = sign_in_with_password(TestClient(app), "aysle", PASSWORD)
    assert wrong.status_code == nobody.status_code == 401

    def message(page) -> str:
        return re.search(r'id="sign-in-error"[^>]*>([^<]*)<', page.text).group(1)

    assert message(wrong) == message(nobody) == ("The user name or password is wrong. Check "
                                                 "them and try again.")
    assert 'value="aysel"' in wrong.text, "the name stays typed; only the password again"
    assert PASSWORD not in wrong.text
    audits = failed_audits(engine)
    assert len(audits) == 2
    assert audits[0].object_id is not None and audits[1].object_id is None
    assert audits[0].details == {"address": "testclient", "via": "web", "method": "password"}
    assert "aysle" not in str(audits[1].details), "a name that matches nobody is not kept"


def test_failed_passwords_are_limited_per_user_name(app):
    engine = app.state.services.engine
    create_user(engine, "aysel", "monitor", password=PASSWORD)
    browser = TestClient(app)
    answers = [sign_in_with_password(browser, "aysel", f"guess number {i:04d}").status_code
               for i in range(4)]
    assert answers == [401, 401, 401, 429]
    limited = sign_in_with_password(browser, "aysel", PASSWORD)
    assert limited.status_code == 429 and "try again in" in limited.text
    assert sign_in_with_password(browser, "Aysel ", PASSWORD).status_code == 429, \
        "the same account however it is typed"
    assert len(failed_audits(engine)) == 3


def test_a_password_sign_in_ends_at_sign_out_and_at_a_password_reset(app):
    engine = app.state.services.engine
    create_user(engine, "aysel", "monitor", password=PASSWORD)
    first, second = TestClient(app), TestClient(app)
    assert sign_in_with_password(first, "aysel", PASSWORD).status_code == 303
    assert sign_in_with_password(second, "aysel", PASSWORD).status_code == 303
    page = first.get("/list")
    first.post("/sign-out", data={"csrf": csrf_of(page.text)})
    assert first.get("/list", follow_redirects=False).status_code == 303
    assert second.get("/list").status_code == 200
    assert set_password(engine, "aysel", "a brand new password here") == 1
    assert second.get("/list", follow_redirects=False).status_code == 303
