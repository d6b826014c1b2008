"""Fixtures for the web pages: one seeded service, and a signed-in client per role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.service.demo import seed_demo_accounts
from screening.settings import Settings

ROLES = ("inspector", "monitor", "analyst", "admin")
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a csrf field"
    return found.group(1)


def sign_in(client: TestClient, token: str):
    """Sign in through the token form, as a browser does (GET the form, POST it)."""
    form = client.get("/sign-in?with=token")
    return client.post("/sign-in", data={"token": token, "csrf": csrf_of(form.text)},
                       follow_redirects=False)


def sign_in_with_password(client: TestClient, name: str, password: str):
    """Sign in through the name-and-password form, as a browser does."""
    form = client.get("/sign-in")
    return client.post("/sign-in", data={"name": name, "password": password,
                                         "csrf": csrf_of(form.text)}, follow_redirects=False)


@pytest.fixture(scope="package")
def service(tmp_path_factory):
    """A service on a fresh SQLite store, seeded with the demo users and examples/: the app
    and the demo tokens by role (the accounts, with passwords, in ``app.state.demo_accounts``)."""
    folder = tmp_path_factory.mktemp("web-store")
    app = create_app(Settings(data_dir=folder))
    accounts = seed_demo_accounts(app.state.services)
    app.state.demo_accounts = accounts
    return app, {role: account.token for role, account in accounts.items()}


@pytest.fixture(scope="package")
def clients(service):
    """One signed-in client per role (each with its own cookies), signed in with the demo
    user's name and password."""
    app, _ = service
    out = {}
    for role in ROLES:
        client = TestClient(app)
        account = app.state.demo_accounts[role]
        assert sign_in_with_password(client, account.name, account.password).status_code == 303
        out[role] = client
    return out


@pytest.fixture
def anonymous(service):
    """A client without a session."""
    return TestClient(service[0])
