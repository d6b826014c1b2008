"""Adapters from the store's queries to JSON-ready pages for the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine

from screening.api.app import ApiError
from screening.store.engine import StoreError
from screening.store.queries import MAX_LIMIT, follow_up_frame
from screening.store.queries import visit_detail as store_visit_detail
from screening.store.reviews import UnknownVisitError

SORTS = {"rank": "rank", "date": "-visit_date", "date_ascending": "visit_date"}


def _records(frame) -> list[dict[str, Any]]:  # noqa: ANN001
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def follow_up_page(engine: Engine, *, region: str | None = None, sector: str | None = None,
                   tier: str | None = None, status: str | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   page: int = 1, per_page: int = 50, sort: str = "rank"
                   ) -> tuple[int, list[dict[str, Any]]]:
    """(total, rows of the page) of the stored follow-up list; ``per_page`` beyond the store's
    page limit is read in several pages (exports)."""
    rows: list[dict[str, Any]] = []
    offset, wanted, total = (page - 1) * per_page, per_page, 0
    try:
        while wanted > 0:
            frame = follow_up_frame(engine, region=region, sector=sector, tier=tier,
                                    review_status=status, date_from=date_from,
                                    date_to=date_to, sort=SORTS.get(sort, sort),
                                    limit=min(wanted, MAX_LIMIT), offset=offset)
            total = int(frame.attrs.get("total", len(frame)))
            rows += _records(frame)
            if len(frame) < min(wanted, MAX_LIMIT):
                break
            offset += len(frame)
            wanted -= len(frame)
    except StoreError as exc:
        raise ApiError(422, "invalid_filter", str(exc)) from None
    return total, rows


def visit_detail(engine: Engine, visit_id: str) -> dict[str, Any] | None:
    """The visit's detail as JSON-ready data, or None when it is not stored."""
    try:
        found = store_visit_detail(engine, visit_id)
    except UnknownVisitError:
        return None
    return json.loads(json.dumps(found, default=str))


__all__ = ["SORTS", "follow_up_page", "visit_detail"]
