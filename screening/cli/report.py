"""``screening report --year Y``: the yearly statistics table, like the national report's own."""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli.common import console, engine, err, fail


@click.command()
@click.option("--year", type=click.IntRange(1990, 2100), required=True,
              help="Calendar year of the visits to count.")
@click.option("--visits", type=click.Path(dir_okay=False, path_type=Path),
              help="Visits file (CSV, XLSX, JSON or Parquet).")
@click.option("--interviews", type=click.Path(dir_okay=False, path_type=Path),
              help="Interviews file.")
@click.option("--outcomes", type=click.Path(dir_okay=False, path_type=Path),
              help="Follow-up outcomes (for confirmed forced-labour visits).")
@click.option("--from-store", is_flag=True,
              help="Count the service's stored visits and decided outcomes instead of files.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the table as .csv or .xlsx (printed as a table without it).")
def report(year: int, visits: Path | None, interviews: Path | None, outcomes: Path | None,
           from_store: bool, out: Path | None) -> None:
    """The yearly statistics table by sector and region: visits, workers without a contract,
    foreign workers without a permit, minors (under 18 and below the minimum age), children in
    street work or begging, ICLS-positive workers, urgent visits and confirmed forced labour."""
    from screening.cli.render import frame_table
    from screening.ingest.loaders import load_outcomes, load_upload
    from screening.outputs.statistics import (
        STATISTICS_COLUMNS,
        statistics_download,
        yearly_statistics,
    )

    rules = engine("en")
    if from_store:
        from screening.service.statistics import stored_statistics
        from screening.settings import load_settings
        from screening.store import migrate

        table = stored_statistics(migrate(load_settings()), rules, year)
    elif visits:
        try:
            loaded = load_upload(visits, interviews)
            o = load_outcomes(outcomes).outcomes if outcomes else None
        except Exception as exc:  # noqa: BLE001 - a loader error names the file and the reason
            fail(str(exc))
        v, i = loaded.visits, loaded.interviews
        if len(loaded.rejected):
            err.print(f"{len(loaded.rejected):,} rejected cells were left out (see "
                      "`screening screen` for the list).")
        table = yearly_statistics(v, i, rules.run(v, i), year, o)
    else:
        fail("Give --visits (with --interviews and --outcomes), or --from-store.")
    if out is None:
        console().print(frame_table(table, f"Yearly statistics {year} by sector and region",
                                    {}))
        err.print("\n".join(f"{k}: {m}" for k, m in STATISTICS_COLUMNS.items()))
        return
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        fail(f"Cannot write '{out}': use a .csv or .xlsx file name.")
    download = statistics_download(table, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(download.content)
    click.echo(f"Wrote {out} ({len(table)} rows).")


COMMANDS = (report,)
