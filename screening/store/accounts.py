"""Users, API tokens (stored as sha256 only) and the append-only audit log."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from screening.errors import ConflictError, StoreError
from screening.store.engine import check_text, transaction
from screening.store.tables import ApiToken, AuditEntry, User, WebSession, utcnow
from screening.vocabulary import ROLES

PREFIX_LENGTH = 8
"""Characters of a token kept in clear (``api_tokens.prefix``) so people can tell tokens apart."""
NAME_LIMIT = 200
"""The longest user name (the column's width)."""


def hash_token(token: str) -> str:
    """The sha256 of a token, as stored in ``api_tokens.token_sha256``.

    Examples
    --------
    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_id_of(user: User | int | None) -> int | None:
    """The id of a user given as a :class:`User`, an id or ``None``."""
    return user.id if isinstance(user, User) else user


def _check_role(role: str) -> None:
    if role not in ROLES:
        close = difflib.get_close_matches(str(role), ROLES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise StoreError(f"The role must be one of {', '.join(ROLES)}. Got '{role}' instead."
                         + hint)


def issue_token(bind: Session | Engine, user: User | int) -> str:
    """Issue a new API token for a user and return it; only its sha256 is stored.

    Parameters
    ----------
    bind : Session or Engine
        With a session, the caller commits.
    user : User or int

    Returns
    -------
    str
        The token, shown once (``secrets.token_urlsafe(32)``).
    """
    token = secrets.token_urlsafe(32)
    with transaction(bind) as session:
        session.add(ApiToken(user_id=user_id_of(user), token_sha256=hash_token(token),
                             prefix=token[:PREFIX_LENGTH]))
    return token


def create_user(bind: Session | Engine, name: str, role: str, *,
                by: User | int | None = None, password: str | None = None,
                ) -> tuple[User, str]:
    """Create a user with a role, a first API token and, optionally, a password.

    Parameters
    ----------
    bind : Session or Engine
        With a session, the caller commits.
    name : str
        Unique name of the user.
    role : {"inspector", "monitor", "analyst", "admin"}
    by : User or int, optional
        Who creates the user (for the audit log).
    password : str, optional
        The password for the web pages (kept as its argon2id hash only); without one the user
        signs in with the token until ``screening users password`` sets one.

    Returns
    -------
    user : User
    token : str
        The API token in clear; it is not stored and cannot be shown again.

    Raises
    ------
    StoreError
        The role is unknown, the name is empty or already taken, or the password breaks a
        rule (:func:`screening.store.passwords.check_password_rules`).
    """
    from screening.store.passwords import hash_password  # it imports this module

    _check_role(role)
    name = (name or "").strip()
    if not name:
        raise StoreError("A user needs a name; the name given is empty.")
    check_text("user name", name, limit=NAME_LIMIT, line=True)
    digest = hash_password(name, password) if password is not None else None
    with transaction(bind) as session:
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise ConflictError(f"A user named '{name}' already exists; choose another name.")
        user = User(name=name, role=role, password_hash=digest)
        session.add(user)
        session.flush()
        token = issue_token(session, user)
        audit(session, by, "user.create", "user", user.id, name=name, role=role)
    return user, token


def authenticate(bind: Session | Engine, token: str | None) -> User | None:
    """The active user a token belongs to, or ``None`` for an unknown or revoked token.

    Parameters
    ----------
    bind : Session or Engine
    token : str or None
        The token in clear, as the client sent it.

    Returns
    -------
    User or None
    """
    if not token:
        return None
    digest = hash_token(token)
    with transaction(bind, write=False) as session:
        row = session.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_sha256 == digest)
        ).first()
        if row is None:
            return None
        stored, user = row
        if not hmac.compare_digest(stored.token_sha256, digest):  # belt and braces
            return None
        if stored.revoked_at is not None or not user.active:
            return None
        return user


def open_session(bind: Session | Engine, token: str) -> tuple[User, str] | None:
    """Sign in to the web pages with an API token: a new server-side session.

    Returns
    -------
    (User, str) or None
        The user and the session's secret for the cookie (only its sha256 is stored), or None
        for an unknown or revoked token.
    """
    user = authenticate(bind, token)
    if user is None:
        return None
    with transaction(bind) as session:
        token_id = session.scalar(select(ApiToken.id).where(
            ApiToken.token_sha256 == hash_token(token)))
        secret = start_session(session, user, token_id, method="token")
    return user, secret


def start_session(session: Session, user: User, token_id: int | None, *, method: str) -> str:
    """Store a new web session for ``user`` (opened with token ``token_id``, or with a
    password when None), audit ``sign_in`` and return the secret for the cookie (only its
    sha256 is stored)."""
    secret = secrets.token_urlsafe(32)
    session.add(WebSession(id=hash_token(secret), user_id=user.id, token_id=token_id))
    audit(session, user, "sign_in", "user", user.id, via="web", method=method)
    return secret


def session_owner(bind: Session | Engine, secret: str, max_age: dt.timedelta) -> User | None:
    """The active user of a web session, or None when it ended, is older than ``max_age``, its
    token was revoked or its user deactivated (each ends the session at once)."""
    if not secret:
        return None
    with transaction(bind, write=False) as session:
        row = session.execute(
            select(WebSession, User, ApiToken.revoked_at)
            .join(User, User.id == WebSession.user_id)
            .outerjoin(ApiToken, ApiToken.id == WebSession.token_id)
            .where(WebSession.id == hash_token(secret))).first()
        if row is None:
            return None
        web, user, revoked = row
        started = web.created_at if web.created_at.tzinfo else web.created_at.replace(
            tzinfo=dt.UTC)
        if (web.ended_at is not None or revoked is not None or not user.active
                or dt.datetime.now(dt.UTC) - started > max_age):
            return None
        session.expunge(user)
        return user


def close_session(bind: Session | Engine, secret: str) -> None:
    """End a web session (sign-out): its cookie is worth nothing from now on, even copied."""
    if not secret:
        return
    with transaction(bind) as session:
        web = session.get(WebSession, hash_token(secret))
        if web is not None and web.ended_at is None:
            web.ended_at = utcnow()
            audit(session, web.user_id, "sign_out", "user", web.user_id)


def revoke_token(bind: Session | Engine, prefix: str, *, by: User | int | None = None) -> int:
    """Revoke the tokens that start with ``prefix``; returns how many were revoked.

    Parameters
    ----------
    bind : Session or Engine
    prefix : str
        The prefix shown for the token (at least 8 characters).
    by : User or int, optional
        Who revokes (for the audit log).

    Returns
    -------
    int
    """
    if len(prefix) < PREFIX_LENGTH:
        raise StoreError(f"A token prefix has {PREFIX_LENGTH} characters. Got '{prefix}' instead.")
    with transaction(bind) as session:
        tokens = session.scalars(select(ApiToken).where(
            ApiToken.prefix == prefix[:PREFIX_LENGTH], ApiToken.revoked_at.is_(None))).all()
        for token in tokens:
            token.revoked_at = utcnow()
            audit(session, by, "token.revoke", "api_token", token.id, prefix=token.prefix)
    return len(tokens)


def audit(session: Session, user: User | int | None, action: str,
          object_type: str | None = None, object_id: object = None,
          **details: Any) -> AuditEntry:
    """Append one entry to the audit log, in the session's transaction.

    Parameters
    ----------
    session : Session
        The entry commits or rolls back with what it records.
    user : User or int or None
        Who acted (``None`` for the system).
    action : str
        What was done, e.g. ``"upload"``, ``"review"``, ``"export"``, ``"sign_in"``.
    object_type, object_id : str, optional
        What it was done to.
    **details
        JSON-serialisable facts worth keeping.

    Returns
    -------
    AuditEntry
    """
    entry = AuditEntry(user_id=user_id_of(user), action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       details=details)
    session.add(entry)
    return entry


__all__ = ["audit", "authenticate", "close_session", "create_user", "hash_token", "issue_token",
           "open_session", "revoke_token", "session_owner", "start_session", "user_id_of"]
