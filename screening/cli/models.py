"""``screening train``, ``screening evaluate`` and ``screening models``: the model lifecycle."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from screening.cli.common import (
    EXIT_REJECTED,
    capacity_options,
    console,
    engine,
    err,
    fail,
    load_model,
    service_context,
)
from screening.errors import LoaderError, ScreeningError


def _load_labelled(visits: Path, interviews: Path | None, outcomes: Path):  # noqa: ANN202
    """Visits, interviews and outcomes from files; rejected rows are reported, not fatal."""
    from screening.ingest.loaders import load_outcomes, load_upload

    try:
        upload = load_upload(visits, interviews)
        labels = load_outcomes(outcomes)
    except LoaderError as exc:
        fail(str(exc))
    rejected = len(upload.rejected) + len(labels.rejected)
    if rejected:
        err.print(f"[yellow]{rejected} problem(s) in the input were rejected[/]; the valid rows "
                  "are used (screen the files to see them).")
    return upload.visits, upload.interviews, labels.outcomes, rejected


def _from_store():  # noqa: ANN202
    """Visits, interviews and outcomes from the service's store (settings from the env)."""
    from screening.settings import load_settings
    from screening.store import migrate, outcomes_frame
    from screening.store.frames import stored_frames

    store = migrate(load_settings())
    visits, interviews = stored_frames(store)
    outcomes = outcomes_frame(store)
    err.print(f"From the store: {len(visits):,} visits, {len(outcomes):,} decided outcomes "
              f"({int(outcomes['exploration'].fillna(False).sum()):,} from exploration slots).")
    return visits, interviews, outcomes, 0


@click.command()
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
    from screening.cli.render import print_report
    from screening.model.training import train as fit_model
    from screening.model.versions import ModelError, models_dir, resolve, save

    try:
        folder = resolve(out)
    except ModelError as exc:
        fail(str(exc))
    if (folder / "card.json").exists():
        fail(f"Model version {folder} exists already; choose another --out.")
    rules = engine("en")
    if from_store:
        v, i, o, rejected = _from_store()
    elif visits and outcomes:
        v, i, o, rejected = _load_labelled(visits, interviews, outcomes)
    else:
        fail("Give --visits and --outcomes (and --interviews), or --from-store.")
    if synthetic is None:
        synthetic = bool(len(o)) and bool((o.get("source") == "synthetic").all())
    err.print(f"Training on {len(o):,} outcomes ({len(v):,} visits, {len(i):,} interviews)...")
    try:
        model, report = fit_model(v, i, o, engine=rules, test_share=test_share,
                                  capacity=capacity, exploration_share=exploration, ipw=ipw,
                                  seed=seed)
    except ScreeningError as exc:
        fail(str(exc))
    save(model, report, rules.catalogue, folder, synthetic=synthetic)
    print_report(report, f"Model {folder.name}: evaluation on the latest {test_share:.0%} "
                         "of the labelled visits")
    err.print(f"Wrote {folder} (models folder {models_dir()}).")
    if rejected:
        sys.exit(EXIT_REJECTED)


@click.command()
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
    from screening.cli.render import print_report
    from screening.model.features import feature_frame
    from screening.model.training import evaluate as evaluate_model
    from screening.model.training import labels
    from screening.model.training import train as fit_model

    rules = engine("en")
    if n_synthetic:
        from screening.datasets.synthetic import generate

        data = generate(n_synthetic, seed=seed, prevalence=prevalence)
        _, report = fit_model(data.visits, data.interviews, data.outcomes, engine=rules,
                              capacity=capacity, exploration_share=exploration, seed=seed)
        print_report(report, f"Fresh synthetic set: {n_synthetic:,} visits, seed {seed}, "
                             f"prevalence {prevalence:.1%}; trained on the earlier 80%, "
                             "evaluated on the later 20%")
        return
    if not (model_name and visits and outcomes):
        fail("Give --model with --visits and --outcomes (and --interviews), or --synthetic N.")
    model = load_model(model_name, rules)
    v, i, o, _ = _load_labelled(visits, interviews, outcomes)
    result = rules.run(v, i)
    labelled, y = labels(v, o)
    rows = labelled.nonzero()[0]
    frame = feature_frame(v, result, rules.catalogue, o).iloc[rows]
    report = evaluate_model(model, v.iloc[rows], result, frame, y[rows], capacity=capacity,
                            exploration_share=exploration, seed=seed, positions=rows)
    print_report(report, f"Model {model_name} on {len(rows):,} labelled visits")


@click.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """List the model versions in the models folder with their key metrics (without a
    subcommand); compare a candidate with the active model, or promote it."""
    if ctx.invoked_subcommand is None:
        _list_models()


def _list_models() -> None:
    from screening.cli.render import frame_table
    from screening.model.versions import list_models, models_dir

    table = list_models()
    if table.empty:
        err.print(f"No model versions in {models_dir()}.")
        return
    console().print(frame_table(table, f"Model versions in {models_dir()}", {
        "prevalence": "{:.2%}", "precision@k": "{:.3f}", "lift": "{:.1f}",
        "rules precision@k": "{:.3f}", "pr_auc": "{:.3f}", "brier": "{:.5f}"}))


@models.command("compare")
@click.argument("candidate")
@click.option("--capacity", type=click.FloatRange(0, 1, min_open=True), default=0.05,
              show_default=True, help="Share of the visits that can be followed up.")
def models_compare(candidate: str, capacity: float) -> None:
    """Compare CANDIDATE with the active model on the most recent decided visits of the store
    that neither has seen: recall and precision at capacity, Brier score, PR AUC."""
    from screening.service.promotion import compare

    result = compare(service_context(), candidate, capacity=capacity)
    _print_comparison(result)


def _print_comparison(result) -> None:  # noqa: ANN001 - a service.promotion.Comparison
    import pandas as pd

    from screening.cli.render import frame_table

    title = (f"{result.candidate} against the active {result.active} on {result.visits:,} "
             f"decided visits dated after {result.since} ({result.positives:,} forced labour), "
             f"capacity {result.capacity:.0%}")
    console().print(frame_table(pd.DataFrame(result.rows), title, {
        "recall@k": "{:.3f}", "precision@k": "{:.3f}", "brier": "{:.5f}", "pr_auc": "{:.3f}"}))
    verdict = (f"worse on {' and '.join(result.worse)}" if result.worse
               else "not worse: it may be promoted")
    err.print(f"The candidate is {verdict}.")


@models.command("promote")
@click.argument("candidate")
@click.option("--user", "user_name", required=True, metavar="NAME",
              help="The admin who promotes (an admin of the service's users; audited).")
@click.option("--force", is_flag=True, help="Promote even when the candidate is worse.")
@click.option("--reason", default=None, help="Why (needed with --force; kept in the card).")
@click.option("--capacity", type=click.FloatRange(0, 1, min_open=True), default=0.05,
              show_default=True)
def models_promote(candidate: str, user_name: str, force: bool, reason: str | None,
                   capacity: float) -> None:
    """Make CANDIDATE the active model for every process of the service, if it is not worse
    than the active one (the one way to make a model active; see the README)."""
    from sqlalchemy import select

    from screening.service.promotion import PromotionRefused, promote
    from screening.store import transaction
    from screening.store.tables import User

    services = service_context()
    with transaction(services.engine, write=False) as session:
        user = session.scalar(select(User).where(User.name == user_name))
    if user is None or user.role != "admin":
        fail(f"'{user_name}' is not an admin of the service; only an admin promotes a model.")
    try:
        result = promote(services, candidate, user, force=force, reason=reason,
                         capacity=capacity)
    except PromotionRefused as exc:
        if exc.comparison is not None:
            _print_comparison(exc.comparison)
        fail(str(exc))
    if result is not None:
        _print_comparison(result)
    err.print(f"The active model is now {candidate or 'none (the rules alone)'}.")


@click.command()
@click.option("--all-models", is_flag=True,
              help="Every decided visit, not only those the active model screened.")
def performance(all_models: bool) -> None:
    """How the list does on the store's decided reviews: label counts, hit rates by tier and
    risk band with intervals, the exploration estimate, capacity and calibration."""
    import pandas as pd

    from screening.cli.render import frame_table
    from screening.service.performance import live_performance

    services = service_context()
    version = None if all_models else (services.models.chosen() or None)
    data = live_performance(services.engine, model_version=version)
    terminal = console()
    terminal.print(f"[bold]{data['decided']:,} decided visits[/] (screened by "
                   f"{version or 'any model'})")
    rates = {"decided": "{:,}", "forced_labour_rate": "{:.3f}", "forced_labour_low": "{:.3f}",
             "forced_labour_high": "{:.3f}", "labour_violation_rate": "{:.3f}",
             "no_violation_rate": "{:.3f}"}
    for key, title in (("by_tier", "Hit rate by tier"), ("by_risk_band", "Hit rate by risk band")):
        frame = pd.DataFrame(data[key])
        if len(frame):
            shown = ["group", *rates]
            terminal.print(frame_table(frame[shown], title, rates))
    e, c = data["exploration"], data["at_capacity"]
    terminal.print(f"Exploration slots: {e['slots']}, forced labour {e['forced_labour']} (rate "
                   f"{e['rate'] or 0:.3f}, 95% interval {e['low'] or 0:.3f} to "
                   f"{e['high'] or 0:.3f}).")
    terminal.print(f"At capacity: precision {c['precision'] or 0:.3f} on {c['top_decided']} "
                   f"decided at the top; recall {c['recall'] or 0:.3f} of an estimated "
                   f"{c['estimated_forced_labour']:.0f} forced-labour visits.")
    for by in ("month", "sector", "region"):
        frame = pd.DataFrame(data["labels"][f"by_{by}"])
        if len(frame):
            terminal.print(frame_table(frame, f"Decided outcomes by {by}", {}))


@click.command()
def drift() -> None:
    """Drift of the stored visits against the active model's training data: the features
    over the thresholds per month, with their population stability index."""
    import pandas as pd

    from screening.cli.render import frame_table
    from screening.service.drift import drift_report

    report = drift_report(service_context())
    terminal = console()
    terminal.print(f"Active model {report['model'] or 'none'}: {report['status']}")
    table = pd.DataFrame(report["warnings"] or [])
    if len(table):
        terminal.print(frame_table(table, "Drift warnings (month, column)", {
            "psi": "{:.3f}", "unknown_share": "{:.3f}", "training_unknown_share": "{:.3f}"}))
    whole = pd.DataFrame(report["table"])
    if len(whole):
        top = whole.sort_values("psi", ascending=False).groupby("month").head(3)
        terminal.print(frame_table(top.sort_values(["month", "psi"], ascending=[True, False]),
                                   "Largest PSI per month (top 3)", {
                                       "psi": "{:.3f}", "unknown_share": "{:.3f}",
                                       "training_unknown_share": "{:.3f}"}))


COMMANDS = (train, evaluate, models, performance, drift)
