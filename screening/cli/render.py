"""Terminal rendering with rich: the follow-up list's table, a visit's explanation and
evaluation reports. Outputs below the CLI stay plain data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screening.cli.common import console
from screening.outputs.explain import explanation
from screening.outputs.reports import plain_dates
from screening.pipeline import Screening
from screening.rules.engine import ICLS_POSITIVE, RuleEngine

TIER_STYLE = {"urgent": "bold white on red", "high": "bold red", "medium": "yellow", "low": "dim"}


def list_table(frame: pd.DataFrame, top: int | None = 20, *, title: str | None = None) -> Table:
    """A rich table of the top of a follow-up list: tier colours, scores and the strongest
    indicators (the whole reasons are in the written list and in ``screening explain``)."""
    table = Table(title=title, header_style="bold", pad_edge=False)
    for name, kw in [
        ("rank", {"justify": "right"}),
        ("tier", {}),
        ("risk", {"justify": "right"}),
        ("rule score", {"justify": "right"}),
        ("ICLS", {"justify": "right"}),
        ("visit", {"no_wrap": True}),
        ("sector", {}),
        ("region", {}),
        ("date", {"no_wrap": True}),
        ("strongest indicators", {"overflow": "fold", "min_width": 30}),
    ]:
        table.add_column(name, **kw)
    shown = frame if top is None else frame.head(top)
    for row in plain_dates(shown).itertuples(index=False):
        risk = "" if pd.isna(row.risk_score) else f"{row.risk_score:.2f}"
        icls = "" if pd.isna(row.icls_workers) else str(int(row.icls_workers))
        ids = [i for i in row.indicators.split(";") if i]
        more = f" +{len(ids) - 2}" if len(ids) > 2 else ""
        tier = f"[{TIER_STYLE[row.tier]}]{row.tier}[/]" + (" *" if row.exploration else "")
        table.add_row(
            str(row.rank),
            tier,
            risk,
            f"{row.rule_score:g}",
            icls,
            escape(str(row.visit_id)),
            str(row.sector),
            escape(str(row.region)),
            str(row.visit_date),
            ", ".join(ids[:2]) + more,
        )
    return table


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
        "none could be tested"
        if s["icls_workers"] is None or s["icls_workers"] != s["icls_workers"]
        else str(s["icls_workers"])
    )
    unknown = s.get("icls_unknown_workers")
    if unknown is not None and not pd.isna(unknown) and unknown > 0:
        icls += f" ({unknown} could not be tested: items never asked)"
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
        if f["corroborating"]:
            floor += " (corroborating: a stronger indicator counted its fact; adds 0)"
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
        for col in ("worker", "involuntariness", "coercion", "other signs", "ICLS",
                    "ICLS items never asked"):
            wt.add_column(col, overflow="fold")
        for w in data["workers"]:
            style = "bold red" if w["icls"] == ICLS_POSITIVE else ""
            wt.add_row(
                escape(str(w["worker_ref"])),
                ", ".join(w["involuntariness"]) or "-",
                ", ".join(w["coercion"]) or "-",
                ", ".join(w["other"]) or "-",
                f"[{style}]{w['icls']}[/]" if style else w["icls"],
                ", ".join(w["never_asked"]) or "-",
            )
        out.append(wt)
    else:
        out.append("No worker was interviewed at this visit.")
    return out


def print_report(report, title: str) -> None:  # noqa: ANN001
    """Print an evaluation report as tables."""
    terminal = console()
    facts = report.facts
    terminal.print(f"[bold]{title}[/]")
    terminal.print(f"held-out visits {facts['test_visits']:,}, forced labour "
                  f"{facts['test_positives']:,} (prevalence {report.probability['prevalence']:.2%}"
                  f"), capacity {facts['capacity']:.0%} -> k = {facts['k']:,}; "
                  f"{facts.get('escalated', 0):,} visits escalated by the model")
    q = report.referral
    if q:
        terminal.print(
            f"Referral queue (urgent visits, each referred; no follow-up capacity used): "
            f"{q['visits']:,} visits, {q['forced_labour']:,} forced labour (precision "
            f"{q['precision']:.3f}; {q['share_of_forced_labour']:.1%} of all forced-labour "
            f"visits). Follow-ups compete for the other {facts['follow_up_visits']:,} visits "
            f"({facts['follow_up_positives']:,} forced labour).")
    terminal.print(frame_table(report.at_capacity, "At capacity k: the four orderings",
                               {"precision@k": "{:.3f}", "recall@k": "{:.3f}", "lift": "{:.1f}",
                                "recall with referrals": "{:.3f}"}))
    if len(report.recall_grid):
        grid = report.recall_grid.assign(
            capacity=report.recall_grid["capacity"].map("{:.0%}".format),
            **{"combined >= best": report.recall_grid["combined >= best"].map(
                {True: "yes", False: "NO"})})
        terminal.print(frame_table(grid, "recall@k of the follow-ups at 1, 2, 5 and 10 %",
                                   dict.fromkeys(grid.columns[2:-1], "{:.3f}")))
    p = report.probability
    lines = [f"PR AUC {p['pr_auc']:.3f} (random {p['pr_auc_random']:.3f})",
             f"Brier {p['brier']:.5f} (always the prevalence: {p['brier_prevalence_baseline']:.5f}"
             + (f"; uncalibrated booster: {p['brier_uncalibrated']:.5f})"
                if "brier_uncalibrated" in p else ")")]
    terminal.print("\n".join(lines))
    terminal.print(frame_table(report.calibration, "Calibration (bins of predicted probability)",
                               {"mean_predicted": "{:.4f}", "observed": "{:.4f}"}))
    for name, table in (("sector", report.by_sector), ("region", report.by_region)):
        terminal.print(frame_table(table.reset_index(names=name), f"recall@k by {name}",
                                   {"recall@k": "{:.3f}", "gap": "{:+.3f}", "caught": "{:.1f}",
                                    "positives": "{:.0f}"}))
    e = report.exploration
    terminal.print(f"Exploration slots: {e['slots']} drawn at random, {e['hits']} forced labour "
                  f"(hit rate {e['hit_rate']:.2%}: the estimate for unflagged visits; true "
                  f"rate below the top of the list {e['true_rate_below_the_top']:.2%}).")


def frame_table(frame: pd.DataFrame, title: str, formats: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        text = pd.api.types.is_string_dtype(frame[col]) or frame[col].dtype == object
        table.add_column(str(col), justify="left" if text else "right")
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            if isinstance(value, float) and np.isnan(value):
                cells.append("")
            elif col in formats:
                cells.append(formats[col].format(value))
            else:
                cells.append(f"{value:,}" if isinstance(value, int | np.integer) else str(value))
        table.add_row(*cells)
    return table


__all__ = ["TIER_STYLE", "explain_visit", "frame_table", "list_table", "print_report"]
