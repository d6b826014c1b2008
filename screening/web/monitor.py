"""Pages of the monitoring centre: the list's exports, the dashboard and the yearly statistics
table (the list itself: :mod:`.list_page`; the visit page with its review form:
:mod:`.visit_page`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from indicators import TIER_ORDER
from screening.errors import StoreError
from screening.ingest.records import SECTORS
from screening.outputs.statistics import STATISTICS_COLUMNS, statistics_download
from screening.service import referrals
from screening.service.drift import drift_report
from screening.service.exports import follow_up_download
from screening.service.notifier import channels
from screening.service.statistics import stored_statistics, years
from screening.store import audit, transaction
from screening.store.queries import NO_REVIEW, follow_up_frame
from screening.store.referrals import outbox
from screening.store.reviews import latest_screening
from screening.store.tables import ScreeningRow, User, Visit
from screening.web import list_page, visit_page
from screening.web.i18n import translate
from screening.web.list_page import filters_of, parse_date, query_of
from screening.web.security import WebError, lang, page_user, render

router = APIRouter(include_in_schema=False)
for _module in (list_page, visit_page):  # the list and the visit page live in their own modules
    router.include_router(_module.router)
URGENT_FIRST = TIER_ORDER[::-1]


@router.get("/export.{fmt}")
def export(request: Request, fmt: str,
           user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """The filtered list as CSV or XLSX for people, in the page's language (headers, tiers in
    their colours, date cells, review notes, the referral clock), audited."""
    if fmt not in ("csv", "xlsx"):
        raise WebError(404, "error_404", what=f"export.{fmt}")
    filters = filters_of(request)
    services = request.app.state.services
    try:
        total, file = follow_up_download(services, fmt, lang=lang(request), **query_of(filters))
    except StoreError as exc:
        raise WebError(422, "bad_filter", message=str(exc)) from None
    with transaction(services.engine) as db:
        audit(db, user, "export", "follow_up", fmt, rows=total, via="web", lang=lang(request),
              filters={k: v for k, v in filters.items() if v})
    return Response(file.content, media_type=file.media_type, headers=file.headers)


def _counts(engine, column, date_from, date_to) -> dict[str, int]:  # noqa: ANN001
    query = (select(column, func.count()).select_from(Visit)
             .join(ScreeningRow, latest_screening()).where(Visit.is_current))
    if date_from is not None:
        query = query.where(Visit.visit_date >= date_from)
    if date_to is not None:
        query = query.where(Visit.visit_date <= date_to)
    with transaction(engine, write=False) as db:
        return {str(k): int(n) for k, n in db.execute(query.group_by(column))}


def bars(counts: dict[str, int], labels: dict[str, str], css: dict[str, str] | None = None,
         width: int = 320) -> dict[str, Any]:
    """A horizontal bar chart as data for the SVG template (labels escaped by Jinja).

    >>> chart = bars({"a": 2, "b": 1}, {"a": "A", "b": "B"})
    >>> [(b["label"], b["count"], b["width"]) for b in chart["bars"]]
    [('A', 2, 320), ('B', 1, 160)]
    """
    top = max(counts.values(), default=0) or 1
    items = [{"label": labels.get(k, k), "count": n, "width": round(width * n / top),
              "y": 28 * i, "css": (css or {}).get(k, "bar")}
             for i, (k, n) in enumerate(counts.items())]
    return {"bars": items, "height": max(28, 28 * len(items)), "width": width}


@router.get("/dashboard")
def dashboard(request: Request, date_from: str = "", date_to: str = "",
              user: User = Depends(page_user("monitor", "analyst"))) -> Response:  # noqa: B008
    """Counts by tier, sector and region for a period, urgent visits without follow-up, the
    referral cases (open, overdue, due within 4 h, median time to referral this month, by
    year), when no e-mail or webhook is configured the notifications waiting, and drift."""
    engine = request.app.state.services.engine
    start, end = parse_date(date_from), parse_date(date_to)
    language = lang(request)
    by_tier = _counts(engine, ScreeningRow.tier, start, end)
    by_tier = {tier: by_tier.get(tier, 0) for tier in URGENT_FIRST}
    by_sector = _counts(engine, Visit.sector, start, end)
    by_sector = {s: by_sector.get(s, 0) for s in SECTORS}
    by_region = dict(sorted(_counts(engine, Visit.region, start, end).items(),
                            key=lambda kv: (-kv[1], kv[0])))
    unscheduled = follow_up_frame(engine, tier="urgent", review_status=NO_REVIEW,
                                  date_from=start, date_to=end, limit=1).attrs["total"]
    svc = request.app.state.services
    figures = referrals.figures(engine, svc.settings.now())
    waiting, events = outbox(engine, undelivered=True, limit=20)
    names = {k: translate(language, f"tier_{k}") for k in URGENT_FIRST}
    names |= {k: translate(language, f"sector_{k}") for k in SECTORS}
    period = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
    return render(request, "dashboard.html", user=user, date_from=date_from, date_to=date_to,
                  drift=drift_report(svc), figures=figures, outbox_waiting=waiting,
                  outbox_events=events, notify_configured=bool(channels(svc.settings)),
                  total=sum(by_tier.values()), unscheduled=unscheduled,
                  unscheduled_link="/list?" + urlencode({"tier": "urgent", "status": NO_REVIEW,
                                                         **period}),
                  charts=[("by_tier", bars(by_tier, names, {t: f"tier-{t}" for t in TIER_ORDER})),
                          ("by_sector_count", bars(by_sector, names)),
                          ("by_region_count", bars(by_region, {}))])


def _year(value: str, known: list[int]) -> int:
    try:
        year = int(value) if value else (known[0] if known else dt.date.today().year)
    except ValueError:
        raise WebError(422, "bad_filter", message=f"{value!r} is not a year.") from None
    if not 1990 <= year <= 2100:
        raise WebError(422, "bad_filter", message=f"{year} is not a year between 1990 and 2100.")
    return year


@router.get("/statistics")
def statistics(request: Request, year: str = "",
               user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """The yearly statistics table by sector and region (like the national report's)."""
    services = request.app.state.services
    known = years(services.engine)
    chosen = _year(year, known)
    table = stored_statistics(services.engine, services.rules("en"), chosen)
    return render(request, "statistics.html", user=user, year=chosen, years=known,
                  columns=list(STATISTICS_COLUMNS), rows=table.to_dict("records"))


@router.get("/statistics.{fmt}")
def statistics_export(request: Request, fmt: str, year: str = "",
                      user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """The yearly statistics table as CSV or XLSX, audited."""
    if fmt not in ("csv", "xlsx"):
        raise WebError(404, "error_404", what=f"statistics.{fmt}")
    services = request.app.state.services
    chosen = _year(year, years(services.engine))
    table = stored_statistics(services.engine, services.rules("en"), chosen)
    with transaction(services.engine) as db:
        audit(db, user, "export", "statistics", fmt, rows=len(table), via="web", year=chosen,
              lang=lang(request))
    file = statistics_download(table, fmt, lang(request))
    return Response(file.content, media_type=file.media_type, headers=file.headers)


__all__ = ["bars", "router"]
