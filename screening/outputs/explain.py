"""Explain one visit line by line, as data: fired indicators, unchecked rules, ICLS per worker
(the CLI renders it in the terminal, the pages in HTML)."""

from __future__ import annotations

from typing import Any

import numpy as np

from screening.pipeline import Screening
from screening.rules.engine import RuleEngine
from screening.rules.expr import ColumnCache


def explanation(screening: Screening, engine: RuleEngine, visit_id: str) -> dict[str, Any]:
    """Everything behind a visit's place on the list, as plain data.

    Returns a dict with the visit's list row (``summary``), the fired indicators with their
    evidence, framework references and whether they only corroborate a fact a stronger one
    counted (``fired``), the indicators whose rule could not be decided because inputs were
    unknown (``unknown``), and each interviewed worker's worker-level indicators, ICLS result
    and the ICLS items never asked (``workers``: ``never_asked``).
    """
    row = screening.visit_row(visit_id)
    cat = engine.catalogue
    summary = screening.follow_up.loc[screening.follow_up["visit_id"] == visit_id].iloc[0]
    result = screening.result
    ev = result.evidence[result.evidence["row"] == row].set_index("indicator")["text"]
    corroborating = set(result.corroborating(row))
    fired = []
    for ind_id in [i for i in summary["indicators"].split(";") if i]:
        spec = cat.get(ind_id).spec
        fired.append(
            {
                "id": ind_id,
                "name": getattr(spec.name, engine.lang),
                "weight": spec.weight,
                "tier_floor": spec.tier,
                "evidence": ev.get(ind_id, ""),
                "frameworks": [
                    f"{r.framework} {r.ref}"
                    + (f" ({r.strength})" if r.strength else "")
                    + ("" if r.verified else " [unverified source]")
                    for r in spec.frameworks
                ],
                "legal_reference": (getattr(spec.legal_reference, engine.lang)
                                    if spec.legal_reference else None),
                "corroborating": ind_id in corroborating,
            }
        )
    one = result.features.iloc[[row]].reset_index(drop=True)
    cache = ColumnCache(one, cat.site_types)
    unknown = []
    for ind in cat.site:
        applies = not ind.spec.sectors or summary["sector"] in ind.spec.sectors
        if applies and np.isnan(ind.rule.evaluate(cache)[0]):
            missing = sorted(c for c in ind.rule.columns if c in one and one[c].isna().all())
            unknown.append(
                {
                    "id": ind.id,
                    "name": getattr(ind.spec.name, engine.lang),
                    "unknown_inputs": missing,
                }
            )
    w = result.workers[result.workers["row"] == row]
    refs = screening.interviews.loc[w.index, "worker_ref"] if len(w) else []
    workers = []
    for (_, wrow), ref in zip(w.iterrows(), refs, strict=True):
        signs: dict[str, list[str]] = {"involuntariness": [], "coercion": [], "other": [],
                                       "never_asked": []}
        for ind in cat.worker:
            if wrow[ind.id] == 1:
                signs[ind.spec.icls or "other"].append(ind.id)
            elif wrow[ind.id] == -1 and ind.spec.icls:
                signs["never_asked"].append(ind.id)  # an ICLS item with no answer
        workers.append({"worker_ref": ref, "icls": wrow["icls"], **signs})
    escalated = bool(screening.escalated[row]) if screening.escalated is not None else False
    threshold = screening.model.escalation_threshold if screening.model is not None else None
    return {"summary": summary.to_dict(), "fired": fired, "unknown": unknown, "workers": workers,
            "escalated": escalated, "escalation_threshold": threshold}


__all__ = ["explanation"]
