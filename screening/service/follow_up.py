"""Read the stored follow-up list and one visit's detail, JSON-ready, and explain a stored visit.

Shared by the API, the pages and the exports. Errors are the library's (a bad filter is a
:class:`~screening.errors.StoreError`, an unknown visit an
:class:`~screening.errors.UnknownVisitError`); the shells turn them into answers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from screening.errors import StoreError, UnknownVisitError
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.ingest.validation import validate_frame
from screening.service.context import Services
from screening.store import transaction
from screening.store.queries import MAX_LIMIT, follow_up_frame
from screening.store.queries import visit_detail as store_visit_detail
from screening.store.tables import Visit

MAX_PAGE = 1_000_000
"""The highest page number the list accepts (1,000,000 pages of 500 visits)."""
SORTS = {"rank": "rank", "date": "-visit_date", "date_ascending": "visit_date"}
"""The list's sort names (API and pages) -> the store's orders."""
log = logging.getLogger("screening.service")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def _with_clock(frame: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """The referral clock of each row: hours left (open cases) and overdue."""
    due = frame["referral_due_at"]
    is_open = (frame["referral_status"] == "open").to_numpy()
    left = [round((d - now).total_seconds() / 3600, 2) if o and d is not None else None
            for d, o in zip(due, is_open, strict=True)]
    frame = frame.assign(referral_due_at=[None if d is None else d.isoformat() for d in due])
    frame["referral_hours_left"] = pd.array(left, dtype="Float64")
    frame["referral_overdue"] = [x is not None and x < 0 for x in left]
    return frame


def follow_up_page(engine: Engine, *, region: str | None = None, sector: str | None = None,
                   tier: str | None = None, status: str | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   page: int = 1, per_page: int = 50, sort: str = "rank",
                   now: dt.datetime | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(total, rows of the page) of the stored follow-up list; ``per_page`` beyond the store's
    page limit is read in several pages (exports).

    Each row has the clock of its visit's referral case (urgent visits): ``referral_case``,
    ``referral_status``, ``referral_due_at``, ``referral_hours_left`` (negative when overdue,
    empty once closed) and ``referral_overdue``, at ``now`` (default: the current time).

    Raises
    ------
    StoreError
        An unknown sector, tier, status or sort.
    """
    if not 1 <= page <= MAX_PAGE:
        raise StoreError(f"The page must be a number from 1 to {MAX_PAGE:,}; got {page}.")
    rows: list[dict[str, Any]] = []
    offset, wanted, total = (page - 1) * per_page, per_page, 0
    while wanted > 0:
        frame = follow_up_frame(engine, region=region, sector=sector, tier=tier,
                                review_status=status, date_from=date_from, date_to=date_to,
                                sort=SORTS.get(sort, sort), limit=min(wanted, MAX_LIMIT),
                                offset=offset)
        total = int(frame.attrs.get("total", len(frame)))
        rows += _records(_with_clock(frame, now or dt.datetime.now(dt.UTC)))
        if len(frame) < min(wanted, MAX_LIMIT):
            break
        offset += len(frame)
        wanted -= len(frame)
    return total, rows


def visit_detail(engine: Engine, visit_id: str) -> dict[str, Any]:
    """The visit's detail as JSON-ready data (raises UnknownVisitError when not stored)."""
    return json.loads(json.dumps(store_visit_detail(engine, visit_id), default=str))


def regions(engine: Engine) -> list[str]:
    """The regions of the stored current visits, sorted."""
    with transaction(engine, write=False) as db:
        return sorted(db.scalars(select(Visit.region).where(Visit.is_current).distinct()))


def stored_frames_of(found: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One stored visit (as :func:`visit_detail` returns it) as typed upload frames."""
    names_v = [c.name for c in VISIT_COLUMNS]
    names_i = [c.name for c in INTERVIEW_COLUMNS]
    visits = pd.DataFrame([{n: found["visit"].get(n) for n in names_v}], columns=names_v)
    interviews = pd.DataFrame([{n: i.get(n) for n in names_i} for i in found["interviews"]],
                              columns=names_i)
    typed_v, _ = validate_frame(visits.astype(object), VISIT_COLUMNS, source="store",
                                table="visits", first_row=1)
    typed_i, _ = validate_frame(interviews.astype(object), INTERVIEW_COLUMNS, source="store",
                                table="interviews", first_row=1,
                                unique=("visit_id", "worker_ref"))
    return typed_v, typed_i


def explain_stored(services: Services, found: dict[str, Any], language: str) -> dict[str, Any]:
    """The fired indicators of the stored screening with their evidence, framework references
    and tier floors in ``language``, and each interviewed worker's ICLS result.

    The list of fired indicators is the stored screening's; the evidence sentences come from
    the rules run again on the stored record (so they can be shown in either language).
    """
    from screening.outputs.explain import explanation
    from screening.pipeline import screen_frames

    catalogue = services.catalogue
    screening = found.get("screening") or {}
    evidence: dict[str, str] = {}
    corroborating: set[str] = set()
    workers: list[dict[str, Any]] = []
    try:
        engine = services.rules(language)
        visits, interviews = stored_frames_of(found)
        result = screen_frames(visits, interviews, engine=engine)
        data = explanation(result, engine, found["visit"]["visit_id"])
        evidence = {f["id"]: f["evidence"] for f in data["fired"]}
        corroborating = {f["id"] for f in data["fired"] if f["corroborating"]}
        workers = data["workers"]
    except Exception:  # noqa: BLE001 - the stored screening is still shown without evidence
        log.exception("Could not explain visit %s again.", found["visit"].get("visit_id"))
    fired = []
    for ind_id in screening.get("indicators") or []:
        try:
            spec = catalogue.get(ind_id).spec
        except KeyError:
            fired.append({"id": ind_id, "name": ind_id, "weight": None, "tier_floor": None,
                          "evidence": "", "frameworks": [], "legal_reference": None,
                          "corroborating": False})
            continue
        fired.append({"id": ind_id, "name": getattr(spec.name, language), "weight": spec.weight,
                      "tier_floor": spec.tier, "evidence": evidence.get(ind_id, ""),
                      "frameworks": spec.frameworks,
                      "legal_reference": (getattr(spec.legal_reference, language)
                                          if spec.legal_reference else None),
                      "corroborating": ind_id in corroborating})
    worker_names = {ind.id: getattr(ind.spec.name, language) for ind in catalogue.worker}
    for w in workers:
        for key in ("involuntariness", "coercion", "never_asked"):
            w[key + "_names"] = [worker_names.get(i, i) for i in w[key]]
        w["icls"] = str(w["icls"])
    return {"fired": fired, "workers": workers,
            "floors": [f for f in fired if f["tier_floor"] in ("urgent", "high")]}


__all__ = ["MAX_PAGE", "SORTS", "UnknownVisitError", "explain_stored", "follow_up_page", "regions",
           "stored_frames_of", "visit_detail"]
