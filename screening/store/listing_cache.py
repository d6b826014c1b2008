"""Counts of the follow-up list kept between requests, for as long as the store is unchanged.

Counting a million entries takes tens of milliseconds even on an index, and a page needs its
total and the capacity cut-off; both change only when visits or reviews are added. The store's
*state* is the newest entry and the newest review (two index look-ups): a count made in one
state is exact while the state stays; after it changes, a count at most ``stale_seconds`` old
may still be given, marked as an estimate, and an older one is counted again. The cache lives
in the process (one per store URL) and :func:`clear` empties it (for a store whose entries were
rebuilt, which leaves the state as it was).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, select, true, tuple_
from sqlalchemy.orm import Session

from screening.store.entries import PRIORITY_KEYS, FollowUpEntry
from screening.store.tables import Review

E = FollowUpEntry
MAX_ITEMS = 2000
"""Cached counts per store before the cache starts afresh."""
_lock = threading.Lock()
_stores: dict[str, dict[Any, tuple[tuple, Any, float]]] = {}


def _store_of(session: Session) -> dict[Any, tuple[tuple, Any, float]]:
    url = session.get_bind().url.render_as_string(hide_password=True)
    with _lock:
        return _stores.setdefault(url, {})


class View:
    """The cache of one store as seen from one session (whose state it read once)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.items = _store_of(session)
        self.state = tuple(session.execute(select(
            select(func.max(E.visit_row_id)).scalar_subquery(),
            select(func.max(Review.id)).scalar_subquery())).one())

    def _get(self, key: Any, compute: Callable[[], Any], stale_seconds: float = 0.0
             ) -> tuple[Any, bool]:
        """(value, is_estimate): cached for this state, or recent enough, or computed now."""
        now = time.monotonic()
        with _lock:
            found = self.items.get(key)
        if found is not None:
            state, value, at = found
            if state == self.state:
                return value, False
            if stale_seconds > 0 and now - at <= stale_seconds:
                return value, True
        value = compute()
        with _lock:
            if len(self.items) >= MAX_ITEMS:
                self.items.clear()
            self.items[key] = (self.state, value, now)
        return value, False

    def total(self, filters: Any, where: list, stale_seconds: float) -> tuple[int, bool]:
        """(rows matching ``where``, whether the number is an estimate)."""
        def count() -> int:
            query = select(func.count()).select_from(E).where(and_(true(), *where))
            return int(self.session.scalar(query) or 0)

        return self._get(("total", filters), count, stale_seconds)

    def cutoff(self, share: float, compute: Callable[[Session, float], tuple]) -> tuple:
        """The capacity cut-off of the whole list (see ``listing.capacity_cutoff``)."""
        return self._get(("cutoff", share), lambda: compute(self.session, share))[0]

    def count_upto(self, filters: Any, where: list, key: tuple) -> int:
        """Rows matching ``where`` at or before the priority ``key``."""
        def count() -> int:
            keys = tuple_(*(getattr(E, k) for k in PRIORITY_KEYS))
            query = select(func.count()).select_from(E).where(and_(keys <= tuple_(*key),
                                                                   *where))
            return int(self.session.scalar(query) or 0)

        return self._get(("upto", filters, key), count)[0]


def view(session: Session) -> View:
    """The cache of the session's store, with the store's state read now."""
    return View(session)


def clear() -> None:
    """Forget every cached count (of every store)."""
    with _lock:
        _stores.clear()


__all__ = ["MAX_ITEMS", "View", "clear", "view"]
