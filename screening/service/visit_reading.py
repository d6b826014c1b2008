"""A stored visit read for the person who must act on it.

In the order the visit page shows it: what the site is (employer, intermediary, worker counts,
the inspector's notes, earlier visits of the site), why it ranks where it does (the tier and
the rule that set it, the rule score, the risk score against the model's own thresholds, how it
was selected for follow-up), what could not be checked (indicators whose inputs were unknown,
workers the ICLS test could not decide), then the evidence in the reader's language.

The risk score is never called "high" or "low" as such: it is put beside the two numbers that
give it a meaning, the model's escalation threshold (chosen on validation data: from it the
model raises a low or medium visit one tier) and the share of forced labour among the visits
the model learnt from, and beside the share of the stored visits the same model scored lower.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from screening.errors import ScreeningError
from screening.pipeline import CAPACITY, EXPLORATION, screen_frames
from screening.rules.catalogue import Catalogue
from screening.service.context import Services
from screening.service.follow_up import visit_detail
from screening.service.reasons import raised_by_model, stored_frames
from screening.store import transaction
from screening.store.reviews import latest_screening
from screening.store.tables import ScreeningRow, Visit

log = logging.getLogger("screening.service")

SITE_FACTS: tuple[str, ...] = (
    "employer_id", "intermediary_id", "intermediary_registered", "sector", "subsector",
    "region", "workers_present", "workers_without_contract", "foreign_workers",
    "foreign_workers_without_permit", "minors_present", "notes",
)  # fmt: skip
"""The visit record's columns that say what the site is (the page's first section)."""
DERIVED_INPUTS = {"intermediary_present": "intermediary_id",
                  "share_without_contract": "workers_without_contract",
                  "share_foreign": "foreign_workers",
                  "share_foreign_without_permit": "foreign_workers_without_permit",
                  "share_minors": "minors_present"}
"""Site features computed from one upload column: the column to name when it is unknown."""
ICLS_INPUTS = ("icls_workers", "icls_tested", "icls_unknown_workers", "interviews")


@functools.lru_cache(maxsize=32)
def _card(models_dir: str, version: str) -> dict[str, Any] | None:
    from screening.model.versions import read_card, resolve

    try:
        return read_card(resolve(version, base=Path(models_dir)))
    except ScreeningError:
        return None


def _share_scored_lower(engine: Engine, version: str, score: float) -> tuple[float | None, int]:
    """(share of the stored visits this model version scored below ``score``, how many it
    scored): current visits, latest screenings."""
    scored = (select(func.count()).select_from(Visit).join(ScreeningRow, latest_screening())
              .where(Visit.is_current, ScreeningRow.model_version == version,
                     ScreeningRow.risk_score.is_not(None)))
    with transaction(engine, write=False) as session:
        n = int(session.scalar(scored) or 0)
        lower = int(session.scalar(scored.where(ScreeningRow.risk_score < score)) or 0)
    return (lower / n if n else None), n


def risk_reading(services: Services, score: float | None, version: str | None
                 ) -> dict[str, Any] | None:
    """The risk score beside the model's thresholds (None when no model scored the visit).

    Returns
    -------
    dict or None
        ``score``, ``model``, ``threshold`` (the escalation threshold; None when the model's
        card cannot be read), ``base_rate`` (share of forced labour among the training
        visits), ``band`` (``at_or_above`` the threshold, ``between`` the base rate and the
        threshold, ``below`` the base rate, or ``unknown`` without a card), ``share_lower``
        (share of the stored visits this model scored lower) and ``scored`` (how many it
        scored).
    """
    if score is None or version is None:
        return None
    card = _card(str(services.settings.models_dir), version)
    threshold = base_rate = None
    if card is not None:
        threshold = (card.get("thresholds") or {}).get("escalation")
        base_rate = (card.get("training_data") or {}).get("train_prevalence")
    if threshold is None:
        band = "unknown"
    elif score >= threshold:
        band = "at_or_above"
    elif base_rate is not None and score >= base_rate:
        band = "between"
    else:
        band = "below"
    share, scored = _share_scored_lower(services.engine, version, score)
    return {"score": score, "model": version, "threshold": threshold, "base_rate": base_rate,
            "band": band, "share_lower": share, "scored": scored}


def selection_reading(screening: dict[str, Any]) -> dict[str, Any]:
    """How the visit was selected for follow-up when it was screened.

    ``kind`` is ``referral`` (urgent: the referral queue, no capacity used), ``exploration``
    (a random slot, with its ``probability``), ``selected`` (within the capacity) or ``below``
    (under the capacity cut-off); ``capacity`` and ``exploration_share`` are the shares used.
    """
    if screening.get("tier") == "urgent":
        kind = "referral"
    elif screening.get("exploration"):
        kind = "exploration"
    elif screening.get("selected"):
        kind = "selected"
    else:
        kind = "below"
    return {"kind": kind, "probability": screening.get("selection_probability"),
            "capacity": CAPACITY, "exploration_share": EXPLORATION}


def _inputs(names: list[str], catalogue: Catalogue, language: str) -> list[dict[str, str]]:
    """Unknown feature columns as what the reader can fill in: visit columns, or the interview
    answers behind a worker count (named by the worker indicator)."""
    counted = {ind.spec.count_as: ind for ind in catalogue.worker if ind.spec.count_as}
    out: dict[tuple[str, str], dict[str, str]] = {}
    for name in names:
        base = name.removesuffix("_share").removesuffix("_asked")
        if base in counted:
            ind = counted[base]
            for column in sorted(ind.rule.columns):
                out[("interviews", column)] = {"table": "interviews", "column": column,
                                               "name": getattr(ind.spec.name, language)}
        elif base in ICLS_INPUTS:
            out[("interviews", "icls")] = {"table": "interviews", "column": "",
                                           "name": "ICLS 2018"}
        else:
            column = DERIVED_INPUTS.get(base, base)
            out[("visits", column)] = {"table": "visits", "column": column, "name": ""}
    return list(out.values())


def _fired(screening: dict[str, Any], catalogue: Catalogue, language: str,
           evidence: dict[str, str], corroborating: set[str]) -> list[dict[str, Any]]:
    fired = []
    for ind_id in screening.get("indicators") or []:
        try:
            spec = catalogue.get(ind_id).spec
        except KeyError:
            fired.append({"id": ind_id, "name": ind_id, "weight": None, "tier_floor": None,
                          "evidence": evidence.get(ind_id, ""), "frameworks": [],
                          "legal_reference": None, "corroborating": False})
            continue
        fired.append({"id": ind_id, "name": getattr(spec.name, language), "weight": spec.weight,
                      "tier_floor": spec.tier, "evidence": evidence.get(ind_id, ""),
                      "frameworks": spec.frameworks,
                      "legal_reference": (getattr(spec.legal_reference, language)
                                          if spec.legal_reference else None),
                      "corroborating": ind_id in corroborating})
    return fired


def _again(services: Services, found: dict[str, Any], language: str) -> dict[str, Any]:
    """The rules run again on the stored record in ``language``: evidence, unknowns, workers
    and the rules' own tier (empty when the stored record cannot be screened again)."""
    from screening.outputs.explain import explanation

    rules = services.rules(language)
    try:
        visits, interviews = stored_frames(services.engine, [found["visit"]["visit_id"]])
        result = screen_frames(visits, interviews, engine=rules)
        data = explanation(result, rules, found["visit"]["visit_id"])
    except Exception:  # noqa: BLE001 - the stored screening is still shown without evidence
        log.exception("Could not explain visit %s again.", found["visit"].get("visit_id"))
        return {"evidence": {}, "corroborating": set(), "unknown": [], "workers": [],
                "rules_tier": None}
    return {"evidence": {f["id"]: f["evidence"] for f in data["fired"]},
            "corroborating": {f["id"] for f in data["fired"] if f["corroborating"]},
            "unknown": data["unknown"], "workers": data["workers"],
            "rules_tier": str(data["summary"]["tier"])}


def read_visit(services: Services, visit_id: str, language: str) -> dict[str, Any]:
    """Everything the visit page shows about a stored visit, in ``language``.

    Returns
    -------
    dict
        ``detail`` (the store's :func:`~screening.service.follow_up.visit_detail`),
        ``screening`` (its latest screening, ``{}`` without one), ``site`` (the columns of
        :data:`SITE_FACTS`), ``earlier`` (the site's other current visits, latest first),
        ``tier`` and ``rules_tier`` (the rules' own tier, computed again), ``tier_rule`` (the
        catalogue's sentence for the rules' tier), ``escalated`` (the model raised the tier),
        ``floors`` (indicators whose tier floor set an urgent or high tier), ``risk``
        (:func:`risk_reading`), ``selection`` (:func:`selection_reading`), ``fired`` (with
        evidence in ``language``), ``unchecked`` (indicators whose inputs were unknown, each
        with ``inputs``; when nobody was interviewed, only the visit record's, and
        ``need_interviews`` counts the indicators that rest on interviews alone), ``workers``
        (each interviewed worker's ICLS result) and ``icls_unknown`` (workers the ICLS test
        could not decide, and the items never asked).

    Raises
    ------
    UnknownVisitError
        The visit is not stored.
    """
    found = visit_detail(services.engine, visit_id)
    screening = found["screening"] or {}
    catalogue = services.catalogue
    again = _again(services, found, language)
    fired = _fired(screening, catalogue, language, again["evidence"], again["corroborating"])
    worker_names = {ind.id: getattr(ind.spec.name, language) for ind in catalogue.worker}
    never_asked: dict[str, str] = {}
    for w in again["workers"]:
        for key in ("involuntariness", "coercion", "never_asked"):
            w[key + "_names"] = [worker_names.get(i, i) for i in w[key]]
        w["icls"] = str(w["icls"])
        never_asked.update({i: worker_names.get(i, i) for i in w["never_asked"]
                            if w["icls"] == "unknown"})
    unchecked, need_interviews = [], 0
    for u in again["unknown"]:
        inputs = _inputs(u["unknown_inputs"], catalogue, language)
        if not found["interviews"]:  # said once for all: nobody was interviewed
            inputs = [i for i in inputs if i["table"] == "visits"]
            if not inputs:
                need_interviews += 1
                continue
        unchecked.append({"id": u["id"], "name": u["name"], "inputs": inputs})
    rules_tier = again["rules_tier"]
    policy = catalogue.settings.tier_policy
    shown_rule = rules_tier or screening.get("tier")
    return {
        "detail": found,
        "screening": screening,
        "site": {name: found["visit"].get(name) for name in SITE_FACTS},
        "earlier": found["site_history"],
        "tier": screening.get("tier"),
        "rules_tier": rules_tier,
        "tier_rule": getattr(getattr(policy, shown_rule), language) if shown_rule else "",
        "escalated": raised_by_model(screening.get("tier"), rules_tier),
        "floors": [f for f in fired if f["tier_floor"] in ("urgent", "high")],
        "risk": risk_reading(services, screening.get("risk_score"),
                             screening.get("model_version")),
        "selection": selection_reading(screening),
        "fired": fired,
        "unchecked": unchecked,
        "need_interviews": need_interviews,
        "workers": again["workers"],
        "icls_unknown": {"workers": screening.get("icls_unknown_workers") or 0,
                         "items": sorted(never_asked.values())},
    }


__all__ = ["SITE_FACTS", "read_visit", "risk_reading", "selection_reading"]
