"""Demo data for a first start: one user per role, and the sample upload stored."""

from __future__ import annotations

from sqlalchemy import func, select

from screening.service.context import Services
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import EXAMPLES_DIR
from screening.store import create_user, transaction
from screening.store.tables import User
from screening.vocabulary import ROLES


def seed_demo(services: Services) -> dict[str, str]:
    """On an empty store: demo users (one per role) and the examples uploaded; their tokens.

    On a store that has users already, nothing is stored and no token is shown again.
    """
    with transaction(services.engine, write=False) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return {}
    tokens, users = {}, {}
    for role in ROLES:
        users[role], tokens[role] = create_user(services.engine, f"demo-{role}", role)
    visits, interviews = EXAMPLES_DIR / "visits.csv", EXAMPLES_DIR / "interviews.csv"
    if visits.exists():
        accept_upload(services, users["inspector"],
                      UploadedFile(visits.name, visits.read_bytes()),
                      UploadedFile(interviews.name, interviews.read_bytes()))
    return tokens


__all__ = ["seed_demo"]
