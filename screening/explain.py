"""Explain one visit line by line: fired indicators, unchecked rules, and ICLS per worker."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screening.engine import ICLS_POSITIVE, RuleEngine
from screening.expr import ColumnCache
from screening.pipeline import Screening
from screening.reports import TIER_STYLE


def explanation(screening: Screening, engine: RuleEngine, visit_id: str) -> dict[str, Any]:
    """Everything behind a visit's place on the list, as plain data.

    Returns a dict with the visit's list row (``summary``), the fired indicators with their
    evidence and framework references (``fired``), the indicators whose rule could not be
    decided because inputs were unknown (``unknown``), and each interviewed worker's
    worker-level indicators and ICLS result (``workers``).
    """
    row = screening.visit_row(visit_id)
    cat = engine.catalogue
    summary = screening.follow_up.loc[screening.follow_up["visit_id"] == visit_id].iloc[0]
    result = screening.result
    ev = result.evidence[result.evidence["row"] == row].set_index("indicator")["text"]
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
                "legal_reference": spec.legal_reference,
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
        signs = {"involuntariness": [], "coercion": [], "other": []}
        for ind in cat.worker:
            if wrow[ind.id] == 1:
                signs[ind.spec.icls or "other"].append(ind.id)
        workers.append({"worker_ref": ref, "icls": wrow["icls"], **signs})
    escalated = bool(screening.escalated[row]) if screening.escalated is not None else False
    threshold = screening.model.escalation_threshold if screening.model is not None else None
    return {"summary": summary.to_dict(), "fired": fired, "unknown": unknown, "workers": workers,
            "escalated": escalated, "escalation_threshold": threshold}


def explain_visit(screening: Screening, engine: RuleEngine, visit_id: str) -> list[Any]:
    """Rich renderables explaining a visit (see :func:`explanation`)."""
    data = explanation(screening, engine, visit_id)
    s = data["summary"]
    risk = (
        "empty (no trained model used)"
        if s["risk_score"] != s["risk_score"]
        else f"{s['risk_score']:.2f}"
    )
    icls = (
        "no interviews"
        if s["icls_workers"] is None or s["icls_workers"] != s["icls_workers"]
        else str(s["icls_workers"])
    )
    head = (
        f"[bold]{escape(visit_id)}[/] · site {escape(str(s['site_id']))} · {s['sector']} · "
        f"{escape(str(s['region']))} · "
        f"{str(s['visit_date'])[:10]}\nrank [bold]{s['rank']}[/] · tier "
        f"[{TIER_STYLE[s['tier']]}]{s['tier']}[/] · rule score {s['rule_score']:g} · "
        f"risk score {risk} · ICLS workers {icls}"
    )
    out: list[Any] = [Panel(head, expand=False)]
    if data["escalated"]:
        out.append(Text(f"The model raised this visit one tier: its risk score "
                        f"{s['risk_score']:.2f} reaches the model's escalation threshold "
                        f"{data['escalation_threshold']:.2f}. The rules alone gave one tier "
                        "lower."))
    table = Table(title="Fired indicators (strongest first)", show_lines=True)
    for col in ("indicator", "weight", "evidence", "frameworks"):
        table.add_column(col, overflow="fold")
    for f in data["fired"]:
        floor = f" (tier floor: {f['tier_floor']})" if f["tier_floor"] else ""
        legal = f"\n{f['legal_reference']}" if f["legal_reference"] else ""
        table.add_row(
            escape(f"{f['id']}\n{f['name']}"),
            f"{f['weight']:g}{floor}",
            escape(f["evidence"]),
            escape("\n".join(f["frameworks"]) + legal),
        )
    out.append(table if data["fired"] else "No indicator fired.")
    if data["unknown"]:
        lines = [
            f"  {u['id']} ({u['name']}): unknown {', '.join(u['unknown_inputs']) or 'inputs'}"
            for u in data["unknown"]
        ]
        text = "Could not be checked because inputs are unknown:\n" + "\n".join(lines)
        out.append(Text(text))
    if data["workers"]:
        wt = Table(title="Interviewed workers (pseudonymous): ICLS 2018 test")
        for col in ("worker", "involuntariness", "coercion", "other signs", "ICLS"):
            wt.add_column(col, overflow="fold")
        for w in data["workers"]:
            style = "bold red" if w["icls"] == ICLS_POSITIVE else ""
            wt.add_row(
                escape(str(w["worker_ref"])),
                ", ".join(w["involuntariness"]) or "-",
                ", ".join(w["coercion"]) or "-",
                ", ".join(w["other"]) or "-",
                f"[{style}]{w['icls']}[/]" if style else w["icls"],
            )
        out.append(wt)
    else:
        out.append("No worker was interviewed at this visit.")
    return out


__all__ = ["explain_visit", "explanation"]
