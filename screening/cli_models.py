"""``screening train``, ``screening evaluate`` and ``screening models``: the model lifecycle."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.table import Table

from screening.cli import EXIT_REJECTED, _engine, _fail, _out, capacity_options, err, main
from screening.errors import LoaderError


def _load_labelled(visits: Path, interviews: Path | None, outcomes: Path):  # noqa: ANN202
    """Visits, interviews and outcomes from files; rejected rows are reported, not fatal."""
    from screening.loaders import load_outcomes, load_upload

    try:
        upload = load_upload(visits, interviews)
        labels = load_outcomes(outcomes)
    except LoaderError as exc:
        _fail(str(exc))
    rejected = len(upload.rejected) + len(labels.rejected)
    if rejected:
        err.print(f"[yellow]{rejected} problem(s) in the input were rejected[/]; the valid rows "
                  "are used (screen the files to see them).")
    return upload.visits, upload.interviews, labels.outcomes, rejected


def _from_store():  # noqa: ANN202
    """Visits, interviews and outcomes from the service's store (settings from the env)."""
    from screening.api.app import ServiceSettings
    from screening.store import migrate, outcomes_frame
    from screening.store.frames import stored_frames

    engine = migrate(ServiceSettings.from_env().store)
    visits, interviews = stored_frames(engine)
    outcomes = outcomes_frame(engine)
    err.print(f"From the store: {len(visits):,} visits, {len(outcomes):,} decided outcomes "
              f"({int(outcomes['exploration'].fillna(False).sum()):,} from exploration slots).")
    return visits, interviews, outcomes, 0


def print_report(report, title: str) -> None:  # noqa: ANN001
    """Print an evaluation report as tables."""
    console = _out()
    facts = report.facts
    console.print(f"[bold]{title}[/]")
    console.print(f"held-out visits {facts['test_visits']:,}, forced labour "
                  f"{facts['test_positives']:,} (prevalence {report.probability['prevalence']:.2%}"
                  f"), capacity {facts['capacity']:.0%} -> k = {facts['k']:,}; "
                  f"{facts.get('escalated', 0):,} visits escalated by the model")
    console.print(_frame_table(report.at_capacity, "At capacity k: the four orderings",
                               {"precision@k": "{:.3f}", "recall@k": "{:.3f}", "lift": "{:.1f}"}))
    p = report.probability
    lines = [f"PR AUC {p['pr_auc']:.3f} (random {p['pr_auc_random']:.3f})",
             f"Brier {p['brier']:.5f} (always the prevalence: {p['brier_prevalence_baseline']:.5f}"
             + (f"; uncalibrated booster: {p['brier_uncalibrated']:.5f})"
                if "brier_uncalibrated" in p else ")")]
    console.print("\n".join(lines))
    console.print(_frame_table(report.calibration, "Calibration (bins of predicted probability)",
                               {"mean_predicted": "{:.4f}", "observed": "{:.4f}"}))
    for name, table in (("sector", report.by_sector), ("region", report.by_region)):
        console.print(_frame_table(table.reset_index(names=name), f"recall@k by {name}",
                                   {"recall@k": "{:.3f}", "gap": "{:+.3f}", "caught": "{:.1f}",
                                    "positives": "{:.0f}"}))
    e = report.exploration
    console.print(f"Exploration slots: {e['slots']} drawn at random, {e['hits']} forced labour "
                  f"(hit rate {e['hit_rate']:.2%}: the estimate for unflagged visits; true "
                  f"rate below the top of the list {e['true_rate_below_the_top']:.2%}).")


def _frame_table(frame: pd.DataFrame, title: str, formats: dict[str, str]) -> Table:
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


@main.command()
@click.option("--visits", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--interviews", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--outcomes", type=click.Path(dir_okay=False, path_type=Path),
              help="Follow-up outcomes: visit_id, outcome, decided_on, source.")
@click.option("--from-store", is_flag=True,
              help="Train on the service's store: its visits, interviews and decided reviews "
                   "(with exploration flags and selection probabilities).")
@click.option("--out", required=True, metavar="VERSION",
              help="Name of the new model version (a folder in the models folder).")
@click.option("--test-share", type=click.FloatRange(0.05, 0.5), default=0.2, show_default=True,
              help="Latest share of the labelled visits held out for the card's metrics.")
@click.option("--ipw", is_flag=True,
              help="Weight outcomes by 1 / selection_probability (a column of the outcomes).")
@click.option("--synthetic/--not-synthetic", default=None,
              help="Say on the card that the data is synthetic [default: when every outcome's "
                   "source is 'synthetic'].")
@capacity_options
def train(visits: Path | None, interviews: Path | None, outcomes: Path | None, from_store: bool,
          out: str, test_share: float, ipw: bool, synthetic: bool | None, capacity: float,
          exploration: float, seed: int) -> None:
    """Train a model version from follow-up outcomes (files, or --from-store) and write it
    with its card and plots."""
    from screening.training import train as fit_model
    from screening.versions import ModelError, models_dir, resolve, save

    try:
        folder = resolve(out)
    except ModelError as exc:
        _fail(str(exc))
    if (folder / "card.json").exists():
        _fail(f"Model version {folder} exists already; choose another --out.")
    engine = _engine("en")
    if from_store:
        v, i, o, rejected = _from_store()
    elif visits and outcomes:
        v, i, o, rejected = _load_labelled(visits, interviews, outcomes)
    else:
        _fail("Give --visits and --outcomes (and --interviews), or --from-store.")
    if synthetic is None:
        synthetic = bool(len(o)) and bool((o.get("source") == "synthetic").all())
    err.print(f"Training on {len(o):,} outcomes ({len(v):,} visits, {len(i):,} interviews)...")
    try:
        model, report = fit_model(v, i, o, engine=engine, test_share=test_share,
                                  capacity=capacity, exploration_share=exploration, ipw=ipw,
                                  seed=seed)
    except ValueError as exc:
        _fail(str(exc))
    save(model, report, engine.catalogue, folder, synthetic=synthetic)
    print_report(report, f"Model {folder.name}: evaluation on the latest {test_share:.0%} "
                         "of the labelled visits")
    err.print(f"Wrote {folder} (models folder {models_dir()}).")
    if rejected:
        sys.exit(EXIT_REJECTED)


@main.command()
@click.option("--model", "model_name", metavar="VERSION",
              help="Evaluate this model version on the labelled visits of the files given.")
@click.option("--visits", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--interviews", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--outcomes", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--synthetic", "n_synthetic", type=click.IntRange(min=1000), default=None,
              help="Instead: make this many synthetic visits, train on the earlier 80% and "
                   "evaluate on the later 20%.")
@click.option("--prevalence", type=click.FloatRange(0, 1), default=0.02, show_default=True,
              help="With --synthetic: share of visits with forced labour.")
@capacity_options
def evaluate(model_name: str | None, visits: Path | None, interviews: Path | None,
             outcomes: Path | None, n_synthetic: int | None, prevalence: float,
             capacity: float, exploration: float, seed: int) -> None:
    """Evaluate at inspection capacity: random, rules only, model only and the combined list
    side by side (precision@k, recall@k, lift), PR AUC, Brier, calibration, recall@k by
    sector and region, and the exploration slots' hit rate."""
    from screening.model import feature_frame
    from screening.training import evaluate as evaluate_model
    from screening.training import labels
    from screening.training import train as fit_model

    engine = _engine("en")
    if n_synthetic:
        from screening.synthetic import generate

        data = generate(n_synthetic, seed=seed, prevalence=prevalence)
        _, report = fit_model(data.visits, data.interviews, data.outcomes, engine=engine,
                              capacity=capacity, exploration_share=exploration, seed=seed)
        print_report(report, f"Fresh synthetic set: {n_synthetic:,} visits, seed {seed}, "
                             f"prevalence {prevalence:.1%}; trained on the earlier 80%, "
                             "evaluated on the later 20%")
        return
    if not (model_name and visits and outcomes):
        _fail("Give --model with --visits and --outcomes (and --interviews), or --synthetic N.")
    from screening.cli import _model

    model = _model(model_name, engine)
    v, i, o, _ = _load_labelled(visits, interviews, outcomes)
    result = engine.run(v, i)
    labelled, y = labels(v, o)
    rows = np.flatnonzero(labelled)
    frame = feature_frame(v, result, engine.catalogue, o).iloc[rows]
    report = evaluate_model(model, v.iloc[rows], result, frame, y[rows], capacity=capacity,
                            exploration_share=exploration, seed=seed, positions=rows)
    print_report(report, f"Model {model_name} on {len(rows):,} labelled visits")


@main.command()
def models() -> None:
    """List the model versions in the models folder with their key metrics."""
    from screening.versions import list_models, models_dir

    table = list_models()
    if table.empty:
        err.print(f"No model versions in {models_dir()}.")
        return
    _out().print(_frame_table(table, f"Model versions in {models_dir()}", {
        "prevalence": "{:.2%}", "precision@k": "{:.3f}", "lift": "{:.1f}",
        "rules precision@k": "{:.3f}", "pr_auc": "{:.3f}", "brier": "{:.5f}"}))
