"""Passwords for the web pages: argon2id hashes on the user, checked in constant work.

Why argon2-cffi: it binds the reference C implementation of Argon2 (the Password Hashing
Competition's winner, RFC 9106), its ``PasswordHasher`` picks the RFC's recommended
parameters, stores them in the hash itself and says when a stored hash was made with older
ones (``check_needs_rehash``), so raising the cost later upgrades each hash at its next sign-in.

The rules follow NIST SP 800-63B (revision 4, section 3.1.1.2) for a password that is the only
factor: at least :data:`MIN_LENGTH` characters, no composition rules, every character allowed
and counted as one (NFKC-normalised before hashing, never truncated), and a password that is
the user's own name, or one character repeated, refused. API tokens are unchanged (scripts
keep them); a password is what a person types on a phone.
"""

from __future__ import annotations

import os
import secrets
import threading
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from screening.errors import StoreError
from screening.store.accounts import audit, start_session
from screening.store.engine import transaction
from screening.store.tables import User, WebSession, utcnow

MIN_LENGTH = 15
"""Fewest characters of a password (NIST SP 800-63B rev. 4 for a single-factor password)."""
MAX_LENGTH = 1024
"""Most characters of a password (far above the 64 NIST asks to allow; bounds the work)."""

hasher = PasswordHasher()
"""The one hasher (argon2id, RFC 9106's parameters as argon2-cffi ships them: 64 MiB, t=3)."""
_CORES = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
          else os.cpu_count() or 1)
_SLOTS = threading.BoundedSemaphore(max(1, _CORES))
"""Hashes computed at once: each takes 64 MiB and a core, so a burst of sign-ins (up to the
server's thread pool at once) waits its turn instead of taking 40 × 64 MiB."""


def _hash(password: str) -> str:
    with _SLOTS:
        return hasher.hash(password)


def _verify(digest: str, password: str) -> bool:
    with _SLOTS:
        return hasher.verify(digest, password)


@cache
def _dummy() -> str:
    """A hash of a password nobody has, to spend the same work on an unknown name."""
    return _hash(secrets.token_urlsafe(32))


def _normal(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password_rules(name: str, password: str) -> None:
    """Refuse a password that breaks the rules, saying which rule and what was given.

    Raises
    ------
    StoreError
        Too short, too long, the user's name, or one character repeated.

    Examples
    --------
    >>> check_password_rules("aysel", "short")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    screening.errors.StoreError: A password needs at least 15 characters; this one has 5. ...
    >>> check_password_rules("aysel", "four words on a phone")
    """
    password = _normal(password or "")
    if len(password) < MIN_LENGTH:
        raise StoreError(f"A password needs at least {MIN_LENGTH} characters; this one has "
                         f"{len(password)}. A few words with spaces are easy to type and hard "
                         "to guess.")
    if len(password) > MAX_LENGTH:
        raise StoreError(f"A password has at most {MAX_LENGTH} characters; this one has "
                         f"{len(password)}.")
    if password.casefold() == (name or "").strip().casefold():
        raise StoreError("A password may not be the user's own name; choose another.")
    if len(set(password)) == 1:
        raise StoreError("A password may not be one character repeated; choose another.")


def hash_password(name: str, password: str) -> str:
    """The argon2id hash of a password that keeps the rules (see :func:`check_password_rules`).

    Examples
    --------
    >>> hash_password("aysel", "four words on a phone").startswith("$argon2id$")
    True
    """
    check_password_rules(name, password)
    return _hash(_normal(password))


def set_password(bind: Session | Engine, name: str, password: str, *,
                 by: User | int | None = None) -> int:
    """Set or reset the password of user ``name``; their open web sessions end at once.

    Parameters
    ----------
    bind : Session or Engine
        With a session, the caller commits.
    name : str
        The user's name.
    password : str
        The new password in clear (kept only as its argon2id hash).
    by : User or int, optional
        Who sets it (for the audit log; ``None`` for the command line).

    Returns
    -------
    int
        How many open web sessions of the user were ended.

    Raises
    ------
    StoreError
        No user has that name, or the password breaks a rule.
    """
    digest = hash_password(name, password)  # the slow part, outside the transaction
    with transaction(bind) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise StoreError(f"No user is named '{name}'; 'screening users add' creates one.")
        user.password_hash = digest
        ended = session.execute(update(WebSession).where(
            WebSession.user_id == user.id, WebSession.ended_at.is_(None))
            .values(ended_at=utcnow())).rowcount
        audit(session, by, "user.password", "user", user.id, sessions_ended=ended)
    return ended


def verify_password(bind: Session | Engine, name: str, password: str) -> User | None:
    """The active user ``name`` when ``password`` is theirs, else ``None``.

    An unknown name, a user without a password, a deactivated user and a wrong password all
    answer ``None`` after the same argon2 work, so the answer's time does not tell which
    names exist. A hash made with older parameters is replaced by one with the current
    parameters (argon2's ``check_needs_rehash``).
    """
    name, password = (name or "").strip(), _normal(password or "")
    if not name or not password or len(password) > MAX_LENGTH:
        return None
    with transaction(bind, write=False) as session:
        user = session.scalar(select(User).where(User.name == name))
        stored = user.password_hash if user is not None else None
    try:
        _verify(stored or _dummy(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or stored is None or not user.active:
        return None
    if hasher.check_needs_rehash(stored):
        with transaction(bind) as session:
            session.execute(update(User).where(User.id == user.id, User.password_hash == stored)
                            .values(password_hash=_hash(password)))
    return user


def open_password_session(bind: Session | Engine, name: str,
                          password: str) -> tuple[User, str] | None:
    """Sign in to the web pages with a name and password: a new server-side session.

    Returns
    -------
    (User, str) or None
        The user and the session's secret for the cookie, or None when the name is unknown,
        the password wrong, or the user has no password or is deactivated (one answer for all).
    """
    user = verify_password(bind, name, password)
    if user is None:
        return None
    with transaction(bind) as session:
        secret = start_session(session, user, None, method="password")
    return user, secret


__all__ = ["MAX_LENGTH", "MIN_LENGTH", "check_password_rules", "hash_password", "hasher",
           "open_password_session", "set_password", "verify_password"]
