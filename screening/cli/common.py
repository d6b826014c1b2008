"""What every command shares: the consoles, exit codes, one-line failures, the catalogue's
engine, model loading, and the options several commands take. Public on purpose: the command
modules import these, never each other's private helpers."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from screening.errors import ScreeningError

if TYPE_CHECKING:  # imported where used: `screening --help` stays light
    from screening.model.classifier import TrainedModel
    from screening.rules.engine import RuleEngine
    from screening.service import Services

EXIT_OK, EXIT_UNUSABLE, EXIT_REJECTED = 0, 2, 3
STEPS = ("loading", "features", "interviews", "indicators", "tiers", "evidence", "model",
         "ranking")

err = Console(stderr=True, highlight=False, soft_wrap=True)


def without_huge_pages() -> None:
    """Ask numpy, for this process, not to back its large arrays with transparent huge pages
    (``NUMPY_MADVISE_HUGEPAGE=0``), unless the environment already says otherwise.

    A command screens in bursts of short-lived arrays of several megabytes. Where the kernel
    compacts memory for every huge page asked for (``defrag`` set to ``madvise``, a common
    default), those requests stall on compaction: on the benchmark machine the 1M-visit
    ``screen`` spent 1.6-2.0 s in the kernel with them and about 1.0 s without (median of 6
    runs each). numpy reads the setting once, when it is first imported, so this only acts
    before that (a command's process; not a program that already uses numpy).
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def console() -> Console:
    """Standard output; wide enough for the list's table when it is not a terminal."""
    terminal = Console(highlight=False)
    return terminal if terminal.is_terminal else Console(highlight=False, width=150)


@contextlib.contextmanager
def progress(enabled: bool) -> Iterator:
    """A progress bar over the pipeline's steps on a terminal; nothing when piped."""
    if not enabled or not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=len(STEPS))

        def advance(step: str) -> None:
            done = STEPS.index(step) if step in STEPS else 0
            bar.update(task, description=step, completed=done)

        yield advance


def fail(message: str) -> NoReturn:
    """Print one line on standard error and exit with :data:`EXIT_UNUSABLE` (no traceback)."""
    err.print(f"[bold red]error:[/] {message}")
    sys.exit(EXIT_UNUSABLE)


def engine(lang: str) -> RuleEngine:
    """The rule engine over the bundled catalogue (compiled once); a bad catalogue fails."""
    from screening.rules.engine import rule_engine

    try:
        return rule_engine(lang)
    except ScreeningError as exc:
        fail(str(exc))


def load_model(name: str, rules: RuleEngine) -> TrainedModel:
    """Load a model version from the models folder, or fail with the reason."""
    from screening.model.versions import load

    try:
        return load(name, rules.catalogue)
    except ScreeningError as exc:
        fail(str(exc))


def service_context() -> Services:
    """The service's store, catalogue and active model, opened from the environment's settings
    (a library error on the way becomes one line and exit status 2, as for every command)."""
    from screening.service import open_services
    from screening.settings import load_settings

    return open_services(load_settings())


def capacity_options(command):  # noqa: ANN001, ANN201 - a click decorator
    """--capacity, --exploration and --seed, shared by screen and evaluate."""
    command = click.option("--seed", type=int, default=0, show_default=True,
                           help="Seed of the random exploration draw.")(command)
    command = click.option("--exploration", type=click.FloatRange(0, 1), default=0.05,
                           show_default=True,
                           help="Share of the capacity drawn at random (exploration).")(command)
    return click.option("--capacity", type=click.FloatRange(0, 1, min_open=True), default=0.05,
                        show_default=True,
                        help="Share of the visits that can be followed up.")(command)


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "az"]),
    default="en",
    show_default=True,
    help="Language of reasons and names.",
)

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "STEPS", "capacity_options", "console",
           "engine", "err", "fail", "lang_option", "load_model", "progress", "service_context"]
