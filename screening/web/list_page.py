"""The follow-up list page (monitoring centre; read-only for the analyst): search by visit,
site or employer, sorting, filters, numbered pages, visits of one site grouped, the capacity
cut-off drawn in the ranked list, exploration slots marked and explained, and the first
evidence of each visit in the reader's language.

The list is read through :func:`screening.service.follow_up.follow_up_list` (the store's
keyset list); the evidence sentences are rendered again for the page's rows only
(:func:`screening.service.reasons.render_again`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from indicators import TIER_ORDER
from screening.errors import StoreError
from screening.ingest.records import SECTORS
from screening.service import referrals
from screening.service.follow_up import MAX_PAGE, follow_up_list, list_filters, region_choices
from screening.service.reasons import raised_by_model, render_again
from screening.store import audit, transaction
from screening.store.filters import NO_REVIEW
from screening.store.tables import User
from screening.vocabulary import REVIEW_STATUSES
from screening.web.security import WebError, lang, page_user, render

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
URGENT_FIRST = TIER_ORDER[::-1]
FILTERS = ("q", "region", "sector", "tier", "status", "date_from", "date_to", "sort", "group")
"""The list's query parameters besides ``page`` (the exports take the same ones)."""
SORT_CHOICES = {"priority": "vl_sort_priority", "risk": "vl_sort_risk", "date": "vl_sort_date",
                "-date": "vl_sort_oldest_date", "site": "vl_sort_site"}
"""The sorts the page offers and their names' keys: follow-up priority (default), risk score,
latest visit first, oldest visit first, site id."""
FIRST_REASONS = 1
"""Evidence sentences shown per visit in the list, strongest first (the visit page has them
all)."""


def parse_date(value: str | None) -> dt.date | None:
    """A date from a form field (empty: none); a 422 page naming the value otherwise."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise WebError(422, "bad_date", value=value) from None


def filters_of(request: Request) -> dict[str, str]:
    """The list's filters from the query string (empty values mean 'any')."""
    return {name: request.query_params.get(name, "").strip() for name in FILTERS}


def query_of(filters: dict[str, str]) -> dict[str, Any]:
    """The filters as :func:`screening.service.follow_up.follow_up_page` takes them."""
    return {"region": filters["region"] or None, "sector": filters["sector"] or None,
            "tier": filters["tier"] or None, "status": filters["status"] or None,
            "date_from": parse_date(filters["date_from"]),
            "date_to": parse_date(filters["date_to"]), "q": filters["q"] or None,
            "group": filters["group"] or None, "sort": filters["sort"] or "priority"}


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and ``around`` on each side of the
    current one, ``None`` where numbers are left out.

    >>> page_numbers(1, 1)
    [1]
    >>> page_numbers(6, 20)
    [1, None, 4, 5, 6, 7, 8, None, 20]
    >>> page_numbers(2, 6)
    [1, 2, 3, 4, 5, 6]
    """
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] > 2:  # type: ignore[operator]
            out.append(None)
        elif out and number - out[-1] == 2:  # type: ignore[operator]
            out.append(number - 1)  # one page hidden: show it rather than a gap
        out.append(number)
    return out


def _hours(hours_left: float) -> str:
    """A referral clock in hours as the pages show it (``5h 20m``)."""
    return referrals.hours_text(int(hours_left * 3600))


def _with_reasons(request: Request, rows: list[dict[str, Any]]) -> None:
    """Each row's first evidence sentences in the page's language, how many more there are,
    and whether the model raised its tier."""
    svc = request.app.state.services
    rendered = render_again(svc.engine, svc.rules(lang(request)), rows)
    for row in rows:
        found = rendered.get(row["visit_id"])
        sentences = [text for _, text in found.sentences] if found else []
        row["first_reasons"] = sentences[:FIRST_REASONS]
        row["more_reasons"] = max(0, len(sentences) - FIRST_REASONS)
        row["raised"] = raised_by_model(row.get("tier"), found.rules_tier if found else None)


@router.get("/list")
def follow_up(request: Request, page: int = 1,
              user: User = Depends(page_user("monitor", "analyst"))) -> Response:  # noqa: B008
    """The ranked follow-up list: search, sort, filters, numbered pages, sites grouped, the
    capacity cut-off and the exploration slots (read-only for the analyst: no export)."""
    filters, page = filters_of(request), min(max(1, page), MAX_PAGE)
    svc = request.app.state.services
    query = query_of(filters)
    sort = query.pop("sort")
    found: dict[str, Any] = {"visits": [], "total": 0, "total_is_estimate": False,
                             "pages": 1, "capacity": {}}
    error = None
    try:
        found = follow_up_list(svc.engine, list_filters(**query), sort=sort, page=page,
                               per_page=PER_PAGE, now=svc.settings.now())
    except StoreError as exc:
        error = str(exc)
    pages = found["pages"]
    kept = {k: v for k, v in filters.items() if v}

    def link(number: int) -> str:
        return "/list?" + urlencode({**kept, "page": number})

    if page > pages:  # past the end (a link from before the list shrank): its last page
        return RedirectResponse(link(pages), status_code=303)
    rows = found["visits"]
    _with_reasons(request, rows)
    with transaction(svc.engine) as db:
        audit(db, user, "list.read", "follow_up", None, page=page, rows=len(rows), via="web",
              filters={k: v for k, v in filters.items() if v})
    capacity = found["capacity"]
    configured, stored = region_choices(svc.settings, svc.engine)
    cutoff = capacity.get("cutoff_rank") if sort in ("priority", "rank") else None
    return render(request, "list.html", status=422 if error else 200, user=user, rows=rows,
                  total=found["total"], estimated=found["total_is_estimate"], page=page,
                  pages=pages, numbers=page_numbers(page, pages), link=link,
                  filters=filters, error=error, capacity=capacity,
                  cutoff=cutoff if cutoff is not None and cutoff < found["total"] else None,
                  export_query=urlencode(kept), can_export=user.role in ("monitor", "admin"),
                  hours=_hours, regions=configured, other_regions=stored, sectors=SECTORS,
                  tiers=URGENT_FIRST, statuses=(NO_REVIEW, *REVIEW_STATUSES),
                  sorts=SORT_CHOICES)


__all__ = ["FILTERS", "SORT_CHOICES", "filters_of", "page_numbers", "parse_date", "query_of",
           "router"]
