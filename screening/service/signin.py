"""Failed sign-ins: audited, and limited per account and per address.

Why the ``limits`` library: its moving-window limiter is small, well kept (it is the engine of
Flask-Limiter and SlowAPI), exact at the window's edge (a fixed window lets twice the limit
through across a boundary), and its storage can move from this process's memory to Redis or
Memcached by changing one URL when the service runs as several processes.

An *account* is named by the user name typed on the sign-in form (a password sign-in), or by
the first characters of the token tried (the prefix the store keeps to recognise a token), an
*address* by the client's IP address. Each failure counts against both; once either has used its
attempts, every sign-in from there is refused (429) until the window has moved on, before the
password or token is even looked at, so guessing does not go faster from many addresses at one
account or at many accounts from one address.

A failed password sign-in is audited with the user it named when that user exists; a name that
matches nobody is not written down (people type their password into the name field by mistake).
"""

from __future__ import annotations

import math
import time

from limits import parse, storage, strategies
from sqlalchemy import Engine, select

from screening.errors import TooManySignIns
from screening.store import audit, transaction
from screening.store.accounts import NAME_LIMIT, PREFIX_LENGTH
from screening.store.tables import ApiToken, User

PER_ACCOUNT = "10/5minutes"
"""Failed sign-ins allowed per account (token prefix) in a moving window."""
PER_ADDRESS = "30/5minutes"
"""Failed sign-ins allowed per client address in a moving window."""


class SignInGuard:
    """Counts failed sign-ins per account and per address, and refuses past the limits.

    Parameters
    ----------
    per_account, per_address : str
        Limits in the ``limits`` notation (``"10/5minutes"``).
    """

    def __init__(self, per_account: str = PER_ACCOUNT, per_address: str = PER_ADDRESS) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._account, self._address = parse(per_account), parse(per_address)

    def _keys(self, token: str, address: str | None, name: str | None):  # noqa: ANN202
        account = (f"name:{name.strip().casefold()[:NAME_LIMIT]}" if name is not None
                   else f"token:{token.strip()[:PREFIX_LENGTH]}")
        return ((self._account, "account", account),
                (self._address, "address", address or "unknown"))

    def check(self, token: str, address: str | None, *, name: str | None = None) -> None:
        """Refuse a sign-in from an address or at an account past its limit.

        Parameters
        ----------
        token : str
            The token tried (ignored when ``name`` is given).
        address : str or None
            The client's address.
        name : str, optional
            The user name of a password sign-in: the account is the name, not the token.

        Raises
        ------
        TooManySignIns
            Saying in how many seconds to try again.
        """
        for limit, *key in self._keys(token, address, name):
            if not self._limiter.test(limit, *key):
                stats = self._limiter.get_window_stats(limit, *key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise TooManySignIns(f"Too many failed sign-ins from this {key[0]}; try again "
                                     f"in {wait} seconds.")

    def failed(self, engine: Engine, token: str, address: str | None, *, via: str,
               name: str | None = None) -> None:
        """Count a failed sign-in against its account and address, and audit it: the token's
        prefix (never the token) or the user the name belongs to (never the password), and
        the address."""
        for limit, *key in self._keys(token, address, name):
            self._limiter.hit(limit, *key)
        with transaction(engine) as session:
            if name is not None:
                owner = session.scalar(select(User.id).where(User.name == name.strip())
                                       .limit(1))
                audit(session, None, "sign_in.failed", "user", owner, address=address, via=via,
                      method="password")
                return
            prefix = token.strip()[:PREFIX_LENGTH]
            owner = session.scalar(select(ApiToken.user_id).where(ApiToken.prefix == prefix)
                                   .limit(1)) if prefix else None
            audit(session, None, "sign_in.failed", "user", owner, prefix=prefix,
                  address=address, via=via)


__all__ = ["PER_ACCOUNT", "PER_ADDRESS", "SignInGuard", "TooManySignIns"]
