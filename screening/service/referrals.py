"""The referral duty: a case for every urgent visit, its clock, what was done, the figures.

An urgent visit (a probable victim) is a legal duty, not a use of follow-up capacity: when it is
stored, a referral case opens in the same transaction, with its clock (detected at the upload
time, due ``SCREENING_REFERRAL_DUE_HOURS`` later), the workers concerned (the ``worker_ref`` of
each interviewed worker who met the ICLS test), the indicators that fired, and the suggested
recipients. A monitor or an admin records what was done; the clock is shown wherever the case
is. Every function takes ``now`` (the service's clock, :meth:`Settings.now`), so tests move
the clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from screening.pipeline import Screening
from screening.rules.engine import ICLS_POSITIVE
from screening.service.context import Services
from screening.store import Receipt, transaction
from screening.store import referrals as store
from screening.store.tables import ReferralCase, User, Visit

DUE_SOURCE = {
    "en": "National report: information on a victim or probable victim is delivered "
          "immediately to the special police department (Ministry of Internal Affairs). "
          "Cabinet of Ministers decision No. 21 (2008): referral within 24 hours (secondary "
          "source, unverified).",
    "az": "Milli hesabat: qurban və ya ehtimal olunan qurban barədə məlumat dərhal xüsusi "
          "polis idarəsinə (Daxili İşlər Nazirliyi) çatdırılır. Nazirlər Kabinetinin 21 "
          "nömrəli qərarı (2008): 24 saat ərzində yönləndirmə (ikinci dərəcəli mənbə, "
          "yoxlanılmayıb).",
}
"""The legal source of the due time, shown beside it."""
DUE_SOON = dt.timedelta(hours=4)
"""An open case due within this time counts as "due soon" on the dashboard."""
URGENT = "urgent"


def suggested_recipients(*, foreign: bool, children: bool) -> list[str]:
    """Who a case should go to: the special police unit always; the State Migration Service
    when foreign workers are concerned; the commission on minors' affairs when children are.

    >>> suggested_recipients(foreign=True, children=False)
    ['special_police', 'migration_service']
    >>> suggested_recipients(foreign=False, children=True)
    ['special_police', 'minors_commission']
    """
    return (["special_police"] + (["migration_service"] if foreign else [])
            + (["minors_commission"] if children else []))


def _flag(values: pd.Series) -> bool:
    return bool(values.fillna(False).astype(bool).any()) if len(values) else False


def cases_for(screening: Screening, visit_ids: list[str], *, detected_at: dt.datetime,
              due_hours: float) -> list[dict[str, Any]]:
    """The case of each urgent visit among ``visit_ids``, from its screening.

    Foreign workers are concerned when a worker who met the ICLS test is foreign or the visit
    counts foreign workers; children when such a worker is under 18 or the visit counts
    minors (a suggestion errs on the side of informing).
    """
    ranked = screening.follow_up
    urgent = ranked[(ranked["tier"].astype(object) == URGENT)
                    & ranked["visit_id"].astype(object).isin(visit_ids)]
    if urgent.empty:
        return []
    visits = screening.visits.set_index(screening.visits["visit_id"].astype(object))
    interviews = screening.interviews
    workers = screening.result.workers
    positive = pd.DataFrame()
    if len(interviews) and len(workers):
        hit = (workers["icls"].astype(object) == ICLS_POSITIVE).to_numpy()
        positive = interviews.loc[np.asarray(workers.index)[hit]]
    due = detected_at + dt.timedelta(hours=due_hours)
    out = []
    for visit_id, indicators in zip(urgent["visit_id"].astype(object),
                                    urgent["indicators"].astype(object), strict=True):
        mine = (positive[positive["visit_id"].astype(object) == visit_id]
                if len(positive) else positive)
        refs = [str(r) for r in mine["worker_ref"]] if len(mine) else []
        row = visits.loc[visit_id]
        foreign = (_flag(mine["foreign"]) if "foreign" in mine else False) or (
            pd.notna(row.get("foreign_workers")) and row.get("foreign_workers", 0) > 0)
        ages = pd.to_numeric(mine["age"], errors="coerce") if "age" in mine else pd.Series()
        children = bool((ages < 18).any()) or (
            pd.notna(row.get("minors_present")) and row.get("minors_present", 0) > 0)
        suggested = suggested_recipients(foreign=bool(foreign), children=bool(children))
        fired = [i for i in str(indicators or "").split(";") if i]
        out.append({
            "visit_id": visit_id, "detected_at": detected_at, "due_at": due, "workers": refs,
            "indicators": ";".join(fired), "suggested": suggested,
            "payload": {"visit_id": visit_id, "region": str(row.get("region", "")),
                        "sector": str(row.get("sector", "")),
                        "detected_at": detected_at.isoformat(), "due_at": due.isoformat(),
                        "workers": refs, "indicators": fired, "suggested": suggested},
        })
    return out


def open_for_upload(session: Session, services: Services, receipt: Receipt,
                    screening: Screening, user: User | int | None, now: dt.datetime
                    ) -> dict[str, int]:
    """Open the cases of an upload's urgent new visits in the upload's transaction; each is
    detected at ``now`` (the upload time on the service's clock).

    Returns ``visit_id -> case id`` of the cases opened.
    """
    items = cases_for(screening, list(receipt.visit_tiers), detected_at=now,
                      due_hours=services.settings.referral_due_hours)
    if not items:
        return {}
    row_ids = dict(session.execute(select(Visit.visit_id, Visit.id)
                                   .where(Visit.upload_id == receipt.upload_id)).all())
    for item in items:
        item |= {"visit_row_id": row_ids[item["visit_id"]], "upload_id": receipt.upload_id}
    for item in items:
        item["payload"] |= {"event": store.CASE_OPENED}
    ids = store.open_cases(session, items, user=user, now=now)
    if not ids:
        return {}
    return dict(session.execute(select(ReferralCase.visit_id, ReferralCase.case_id)
                                .where(ReferralCase.id.in_(ids))).all())


def with_clock(case: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A case with its clock: ``seconds_left`` (negative when overdue, None once closed),
    ``overdue`` (open past its due time), and for a referral made, ``on_time`` and
    ``hours_to_referral``.

    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> c = {"status": "open", "detected_at": t, "due_at": t + dt.timedelta(hours=24),
    ...      "referred_at": None}
    >>> x = with_clock(c, t + dt.timedelta(hours=25))
    >>> x["overdue"], x["seconds_left"]
    (True, -3600)
    """
    out = dict(case)
    is_open = case["status"] == "open"
    left = int((case["due_at"] - now).total_seconds())
    out["seconds_left"] = left if is_open else None
    out["overdue"] = is_open and left < 0
    out["due_soon"] = is_open and 0 <= left < DUE_SOON.total_seconds()
    referred = case.get("referred_at")
    out["on_time"] = (referred <= case["due_at"]) if referred is not None else None
    out["hours_to_referral"] = (round((referred - case["detected_at"]).total_seconds() / 3600,
                                      2) if referred is not None else None)
    return out


def hours_text(seconds: int | None) -> str:
    """A clock as text: ``5h 20m`` (sign dropped; the page says left or overdue).

    >>> hours_text(-3900), hours_text(19200), hours_text(None)
    ('1h 05m', '5h 20m', '')
    """
    if seconds is None:
        return ""
    minutes = abs(int(seconds)) // 60
    return f"{minutes // 60}h {minutes % 60:02d}m"


def queue(engine: Engine, now: dt.datetime, *, status: str | None = None,
          overdue: bool | None = None, region: str | None = None, sector: str | None = None,
          visit_id: str | None = None) -> list[dict[str, Any]]:
    """The referral queue: open cases by time left (overdue first), then the closed ones,
    latest recorded first; each with its clock (:func:`with_clock`).

    Raises
    ------
    StoreError
        An unknown status.
    """
    found = [with_clock(c, now) for c in store.cases(
        engine, status=status or None, region=region or None, sector=sector or None,
        visit_id=visit_id)]
    if overdue is not None:
        found = [c for c in found if c["overdue"] == overdue]
    open_ = [c for c in found if c["status"] == "open"]
    closed = sorted((c for c in found if c["status"] != "open"),
                    key=lambda c: c["recorded_at"], reverse=True)
    return open_ + closed


def case_of_visit(engine: Engine, visit_id: str, now: dt.datetime) -> dict[str, Any] | None:
    """The latest case of a visit with its clock and history, or None."""
    found = store.cases(engine, visit_id=visit_id)
    if not found:
        return None
    case = with_clock(max(found, key=lambda c: c["case_id"]), now)
    case["history"] = store.case_history(engine, case["case_id"])
    return case


def record(services: Services, case_id: int, user: User, *, status: str,
           now: dt.datetime | None = None, **decision: Any) -> dict[str, Any]:
    """Record referred or not referred (a new version of the case, audited); see
    :func:`screening.store.referrals.record_decision`."""
    now = now or services.settings.now()
    return with_clock(store.record_decision(services.engine, case_id, by=user, status=status,
                                            now=now, **decision), now)


def figures(engine: Engine, now: dt.datetime) -> dict[str, Any]:
    """The dashboard's figures: open, overdue and due-soon cases, the median hours from
    detection to referral this month, and per year the cases referred, on time and late."""
    every = [with_clock(c, now) for c in store.cases(engine)]
    month = [c for c in every if c["referred_at"] is not None and c["status"] == "referred"
             and (c["referred_at"].year, c["referred_at"].month) == (now.year, now.month)]
    years: dict[int, dict[str, int]] = {}
    for c in every:
        row = years.setdefault(c["detected_at"].year, dict.fromkeys(
            ("cases", "referred", "on_time", "late", "not_referred", "open"), 0))
        row["cases"] += 1
        if c["status"] == "referred":
            row["referred"] += 1
            row["on_time" if c["on_time"] else "late"] += 1
        else:
            row[c["status"]] += 1
    return {
        "open": sum(c["status"] == "open" for c in every),
        "overdue": sum(c["overdue"] for c in every),
        "due_soon": sum(c["due_soon"] for c in every),
        "median_hours_this_month": (round(statistics.median(
            c["hours_to_referral"] for c in month), 1) if month else None),
        "referred_this_month": len(month),
        "by_year": [{"year": y, **row} for y, row in sorted(years.items(), reverse=True)],
    }


def sweep_overdue(services: Services, now: dt.datetime | None = None) -> int:
    """Write a ``case_overdue`` event for each open case past its due time (once per case);
    the number written."""
    now = now or services.settings.now()
    with transaction(services.engine) as session:
        late = store.overdue_without_event(session, now)
        for case in late:
            store.add_event(session, store.CASE_OVERDUE, case["case_id"], {
                "event": store.CASE_OVERDUE, "case_id": case["case_id"],
                "visit_id": case["visit_id"], "region": case["region"],
                "sector": case["sector"], "detected_at": case["detected_at"].isoformat(),
                "due_at": case["due_at"].isoformat(), "workers": case["workers"],
                "indicators": [i for i in case["indicators"].split(";") if i],
                "suggested": case["suggested"]}, now)
    return len(late)


__all__ = ["DUE_SOON", "DUE_SOURCE", "case_of_visit", "cases_for", "figures", "hours_text",
           "open_for_upload", "queue", "record", "suggested_recipients", "sweep_overdue",
           "with_clock"]
