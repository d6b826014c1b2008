"""Demo data for a first start: one user per role (with a password and a token), and the
sample upload stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from screening.service.context import Services
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import EXAMPLES_DIR
from screening.store import create_user, transaction
from screening.store.tables import User
from screening.vocabulary import ROLES

_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: nothing to misread on a phone


@dataclass(frozen=True)
class DemoAccount:
    """A demo user's name, role, password (for the pages) and API token, shown once."""

    name: str
    role: str
    password: str
    token: str


def demo_password() -> str:
    """A random password that is easy to type on a phone: four groups of four lower-case
    letters (about 72 bits), e.g. ``'kqvm-ahtr-pzwe-fnsd'``.

    >>> len(demo_password()), demo_password().count("-")
    (19, 3)
    """
    return "-".join("".join(secrets.choice(_LETTERS) for _ in range(4)) for _ in range(4))


def seed_demo_accounts(services: Services) -> dict[str, DemoAccount]:
    """On an empty store: demo users (one per role, ``demo-<role>``, each with a random
    password and a token) and the examples uploaded; the accounts by role.

    On a store that has users already, nothing is stored and nothing is shown again.
    """
    with transaction(services.engine, write=False) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return {}
    accounts, users = {}, {}
    for role in ROLES:
        name, password = f"demo-{role}", demo_password()
        users[role], token = create_user(services.engine, name, role, password=password)
        accounts[role] = DemoAccount(name, role, password, token)
    visits, interviews = EXAMPLES_DIR / "visits.csv", EXAMPLES_DIR / "interviews.csv"
    if visits.exists():
        accept_upload(services, users["inspector"],
                      UploadedFile(visits.name, visits.read_bytes()),
                      UploadedFile(interviews.name, interviews.read_bytes()))
    return accounts


def seed_demo(services: Services) -> dict[str, str]:
    """:func:`seed_demo_accounts`, giving only the API tokens by role (for API clients)."""
    return {role: account.token for role, account in seed_demo_accounts(services).items()}


__all__ = ["DemoAccount", "demo_password", "seed_demo", "seed_demo_accounts"]
