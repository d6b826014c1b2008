"""``screening screen``, ``indicators``, ``explain`` and ``synth``: the one-shot commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from screening.cli.common import (
    EXIT_REJECTED,
    capacity_options,
    console,
    engine,
    err,
    fail,
    lang_option,
    load_model,
    progress,
)
from screening.errors import LoaderError
from screening.outputs import FORMATS

if TYPE_CHECKING:
    import pandas as pd

    from screening.ingest.loaders import LoadResult
    from screening.model.classifier import TrainedModel
    from screening.rules.engine import Progress, RuleEngine


@click.command()
@click.argument("visits", type=click.Path(path_type=Path))
@click.option(
    "--interviews",
    type=click.Path(path_type=Path),
    help="Interviews file (CSV, XLSX, JSON or Parquet), if not inside VISITS; with --engine "
         "dask, the folder of interview files named as the visit files.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many visits the terminal table shows.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format. Default: from --out's extension, or a table.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the whole follow-up list here (a folder with --engine dask); rejected rows "
         "go beside it.",
)
@click.option("--model", "model_name", default=None, metavar="VERSION",
              help="Model version in the models folder (e.g. default) for risk scores.")
@capacity_options
@lang_option
@click.option("--engine", "engine_name", type=click.Choice(["pandas", "dask"]), default="pandas",
              show_default=True,
              help="dask: VISITS is a folder of Parquet files partitioned by site, screened "
                   "in parallel; --out is then a folder.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the address of a running Dask scheduler "
                   "(tcp://host:8786); default: a local cluster.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With --engine dask: worker processes of the local cluster "
                   "[default: one per core].")
def screen(visits: Path, interviews: Path | None, top: int, fmt: str | None, out: Path | None,
           model_name: str | None, capacity: float, exploration: float, seed: int,
           lang: str, engine_name: str, scheduler: str | None, workers: int | None) -> None:
    """Screen VISITS (CSV, XLSX, JSON or Parquet) and rank them for follow-up.

    Prints the top of the follow-up list; with --out writes the whole list. With --model the
    list gets calibrated risk scores and the model may raise a visit one tier. The first
    --capacity of the list is marked selected, --exploration of it drawn at random. Rejected
    rows are summarised and written to <out>.rejected.csv (or ./<visits>.rejected.csv).
    With --engine dask, VISITS and --interviews are folders of Parquet files partitioned by
    site and --out a folder (one Parquet file per partition, sorted by rank); the list is the
    same as the pandas engine's. Exit status: 0 everything screened, 3 some rows rejected,
    2 unusable input.
    """
    if engine_name == "dask":
        _screen_folder(visits, interviews, top, fmt, out, model_name, capacity, exploration,
                       seed, lang, scheduler, workers)
        return
    if scheduler or workers:
        fail("--scheduler and --workers go with --engine dask.")
    for path in (visits, interviews):
        if path is not None and path.is_dir():
            fail(f"{path} is a folder; a folder of Parquet files is screened with "
                 "--engine dask.")
    from screening.outputs.reports import format_of

    if fmt is None:
        fmt = format_of(out) if out else "table"
    elif fmt == "table" and out:
        fail("--format table prints to the terminal; give a file format with --out.")
    with progress(True) as bar:
        loaded, rules, model = _load_and_prepare(visits, interviews, lang, model_name, bar)
        from screening.pipeline import screen_frames

        screening = screen_frames(loaded.visits, loaded.interviews, engine=rules, model=model,
                                  progress=bar, rejected=loaded.rejected, capacity=capacity,
                                  exploration=exploration, seed=seed)
    from screening.cli.render import list_table
    from screening.outputs.reports import list_text, rejected_path, tier_counts, write_list

    ranked = screening.follow_up
    if out:
        write_list(ranked, out, fmt, lang)
    elif fmt in ("csv", "json"):
        sys.stdout.write(list_text(ranked, fmt))
    elif fmt != "table":
        fail(f"--format {fmt} writes a binary file; give --out FILE.")
    if fmt == "table" or out:
        console().print(list_table(ranked, top, title="Follow-up list"))
    counts = ", ".join(f"{n} {t}" for t, n in tier_counts(ranked).items())
    read = ", ".join(f"{n} {t}" for t, n in loaded.rows_read.items())
    err.print(f"Read {read}; screened {len(ranked)} visits ({counts}).")
    if out:
        err.print(f"Wrote the follow-up list ({len(ranked)} visits) to {out}.")
    if loaded.rejected_rows:
        target = rejected_path(out) if out else Path(f"{visits.stem}.rejected.csv")
        write_list(loaded.rejected, target, "csv")
        _print_rejected(loaded.rejected, target)
        sys.exit(EXIT_REJECTED)


def _load_and_prepare(visits: Path, interviews: Path | None, lang: str, model_name: str | None,
                      bar: Progress | None) -> tuple[LoadResult, RuleEngine, TrainedModel | None]:
    """Load and validate the upload on a second thread while this one compiles the catalogue
    and loads the model (importing scikit-learn alone takes a second or two): reading and
    parsing the file happen mostly in Arrow, which lets the other thread run."""
    from concurrent.futures import ThreadPoolExecutor

    from screening.ingest.loaders import load_upload

    if bar:
        bar("loading")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load") as pool:
        loading = pool.submit(load_upload, visits, interviews)
        rules = engine(lang)
        model = load_model(model_name, rules) if model_name else None
        try:
            loaded = loading.result()
        except LoaderError as exc:
            fail(str(exc))
    return loaded, rules, model


def _screen_folder(visits: Path, interviews: Path | None, top: int, fmt: str | None,
                   out: Path | None, model_name: str | None, capacity: float,
                   exploration: float, seed: int, lang: str, scheduler: str | None,
                   workers: int | None) -> None:
    """``screen --engine dask``: a folder partitioned by site, on a Dask cluster."""
    import pandas as pd

    from screening.cli.render import list_table
    from screening.scale import screen_folder

    if out is None:
        fail("--engine dask writes the list as a folder of Parquet files; give --out FOLDER.")
    if fmt not in (None, "parquet"):
        fail("--engine dask writes Parquet files; leave --format out or give parquet.")
    rules = engine(lang)
    model = load_model(model_name, rules) if model_name else None
    steps = {"partitions": "Screening the partitions", "ranking": "Ranking all visits",
             "writing": "Writing the list"}
    where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
    err.print(f"Screening the folder {visits} on {where}.")
    try:
        done = screen_folder(visits, interviews, out, model=model, lang=lang,
                             capacity=capacity, exploration=exploration, seed=seed, top=top,
                             scheduler=scheduler, workers=workers,
                             progress=lambda step: err.print(f"  {steps[step]} ..."))
    except LoaderError as exc:
        fail(str(exc))
    console().print(list_table(done.top, top, title="Follow-up list"))
    counts = ", ".join(f"{n} {t}" for t, n in done.tiers.items())
    read = ", ".join(f"{n} {t}" for t, n in done.rows_read.items())
    err.print(f"Read {read}; screened {done.screened} visits ({counts}).")
    err.print(f"Wrote the follow-up list ({done.screened} visits) to {out} "
              f"({len(done.files)} Parquet files, each sorted by rank).")
    if done.rejected_file is not None:
        _print_rejected(pd.read_csv(done.rejected_file, dtype=str, keep_default_na=False),
                        done.rejected_file)
        sys.exit(EXIT_REJECTED)


def _print_rejected(rejected: pd.DataFrame, target: Path, limit: int = 10) -> None:
    rows = rejected.drop_duplicates(["source", "table", "row"]).shape[0]
    err.print(
        f"[bold yellow]{rows} row(s) rejected[/] ({len(rejected)} problem(s)); "
        f"all of them are in {target}:"
    )
    by_reason = rejected["reason"].value_counts()
    err.print("  " + ", ".join(f"{reason}: {n}" for reason, n in by_reason.items()))
    for r in rejected.head(limit).itertuples(index=False):
        err.print(
            f"  {Path(str(r.source)).name} {r.table} row {r.row}, column {r.column}: {r.message}",
            markup=False,
        )
    if len(rejected) > limit:
        err.print(f"  ... and {len(rejected) - limit} more in {target}")


@click.command()
@lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def indicators(lang: str, fmt: str) -> None:
    """List the indicator catalogue: ids, names, frameworks, sectors, weights and tier floors."""
    import pandas as pd
    from rich.markup import escape
    from rich.table import Table

    cat = engine(lang).catalogue
    rows = []
    for ind in cat.indicators:
        spec = ind.spec
        refs = "; ".join(
            f"{r.framework} {r.ref}"
            + (f" ({r.strength})" if r.strength else "")
            + ("" if r.verified else " [unverified]")
            for r in spec.frameworks
        )
        rows.append(
            {
                "id": spec.id,
                "level": spec.level,
                "name": getattr(spec.name, lang),
                "frameworks": refs,
                "sectors": ", ".join(spec.sectors or ["all"]),
                "weight": spec.weight,
                "tier_floor": spec.tier or "",
                "icls": spec.icls or "",
                "rule": spec.rule,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        click.echo(pd.DataFrame(rows).to_csv(index=False), nl=False)
        return
    table = Table(
        title=f"Indicator catalogue ({len(rows)} indicators, fingerprint {cat.fingerprint[:12]})",
        show_lines=True,
    )
    for col in ("id", "level", "name", "frameworks", "sectors", "weight", "tier floor"):
        table.add_column(col, overflow="fold")
    for r in rows:
        cells = [
            r["id"],
            r["level"] + (f" ({r['icls']})" if r["icls"] else ""),
            r["name"],
            r["frameworks"],
            r["sectors"],
            f"{r['weight']:g}",
            r["tier_floor"],
        ]
        table.add_row(*(escape(c) for c in cells))
    console().print(table)


@click.command()
@click.argument("visit_ids", nargs=-1, required=True)
@click.option(
    "--visits",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Visits file [default: examples/visits.csv].",
)
@click.option(
    "--interviews",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Interviews file [default: examples/interviews.csv with the default visits].",
)
@click.option("--model", "model_name", default=None, metavar="VERSION",
              help="Model version for the risk score (and any escalation it made).")
@lang_option
def explain(visit_ids: tuple[str, ...], visits: Path | None, interviews: Path | None,
            model_name: str | None, lang: str) -> None:
    """Explain why VISIT_IDS got their tier: every fired indicator with its evidence and
    framework references (and whether it only corroborates a fact already counted), the rules
    that could not be checked, each interviewed worker's ICLS result and the ICLS items never
    asked, and with --model the risk score and any escalation."""
    from screening.cli.render import explain_visit
    from screening.pipeline import screen_files
    from screening.settings import EXAMPLES_DIR

    if visits is None:
        visits = EXAMPLES_DIR / "visits.csv"
        if interviews is None and (EXAMPLES_DIR / "interviews.csv").exists():
            interviews = EXAMPLES_DIR / "interviews.csv"
        err.print(f"Explaining from {visits}" + (f" and {interviews}" if interviews else ""))
    rules = engine(lang)
    try:
        screening, _ = screen_files(
            visits, interviews, engine=rules,
            model=load_model(model_name, rules) if model_name else None)
    except LoaderError as exc:
        fail(str(exc))
        return
    terminal = console()
    missing = []
    for visit_id in visit_ids:
        try:
            for renderable in explain_visit(screening, rules, visit_id):
                terminal.print(renderable)
        except KeyError:
            missing.append(visit_id)
    if missing:
        fail(f"No visit with id {', '.join(repr(m) for m in missing)} in {visits}.")


@click.command()
@click.option(
    "--visits",
    "n_visits",
    type=click.IntRange(min=1),
    required=True,
    help="How many visits to generate.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write visits, interviews and the hidden outcomes into.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "json", "xlsx"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--prevalence",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Share of visits whose site has forced labour.",
)
def synth(n_visits: int, seed: int, out: Path, fmt: str, prevalence: float) -> None:
    """Generate synthetic visits, interviews and hidden true outcomes (see
    screening.datasets.synthetic for its assumptions)."""
    from screening.datasets.synthetic import generate, write

    data = generate(n_visits, seed=seed, prevalence=prevalence)
    paths = write(data, out, fmt)
    truth = data.outcomes["outcome"].value_counts()
    err.print(
        f"Wrote {len(data.visits)} visits and {len(data.interviews)} interviews "
        f"(seed {seed}; forced labour at {int(truth.get('forced_labour', 0))} visits):"
    )
    for name, path in paths.items():
        click.echo(f"{name}\t{path}")


COMMANDS = (screen, indicators, explain, synth)
