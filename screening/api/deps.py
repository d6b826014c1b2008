"""Dependencies of the API's routes: the services, the token's user, role checks.

Like FastAPI's full-stack template (``api/deps.py``): ``Annotated`` aliases keep the route
signatures plain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from screening.api.errors import ApiError
from screening.service import Services
from screening.store import accounts, transaction
from screening.store.tables import User

SIGN_IN_EVERY = dt.timedelta(hours=1)


def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency)."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]


def current_user(request: Request, svc: ServicesDep) -> User:
    """The user of the request's bearer token; 401 without a valid one (and audited)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "Send an API token: 'Authorization: Bearer "
                                               "<token>'.")
    address = request.client.host if request.client else None
    svc.sign_ins.check(token, address)
    user = accounts.authenticate(svc.engine, token.strip())
    if user is None:
        svc.sign_ins.failed(svc.engine, token, address, via="api")
        raise ApiError(401, "unauthenticated", "The API token is unknown or revoked.")
    _audit_sign_in(svc, user, accounts.hash_token(token.strip()))
    return user


def _audit_sign_in(svc: Services, user: User, token_hash: str) -> None:
    """A token's use is its sign-in: audited on first use and then at most once an hour."""
    now = dt.datetime.now(dt.UTC)
    last = svc.signed_in.get(token_hash)
    if last is not None and now - last < SIGN_IN_EVERY:
        return
    svc.signed_in[token_hash] = now
    with transaction(svc.engine) as session:
        accounts.audit(session, user, "sign_in", "user", user.id)


def require(*roles: str) -> Callable[..., User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise ApiError(403, "forbidden", f"This needs the role {' or '.join(roles)}; "
                                             f"you are {user.role}.")
        return user

    return check


__all__ = ["ServicesDep", "current_user", "require", "services"]
