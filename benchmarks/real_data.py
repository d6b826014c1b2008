"""Reality check on public data nobody on the team wrote: ``python -m benchmarks.real_data``.

Prints, as tables, how the rule engine flags the CTDC synthetic victim records (forced-labour
victims against the others) and how Brazil's register of slave-labour findings maps onto the
upload's sectors and the catalogue's sector variants (see :mod:`screening.datasets.realdata`),
with the time each took. The data is read from the external data folder in place; when the
folder is absent this says so and exits with status 0.
"""

from __future__ import annotations

import sys
import time

import pandas as pd
from rich.console import Console
from rich.table import Table

from screening.datasets.realdata import (
    ExternalDataMissing,
    brazil_sector_profile,
    ctdc_report,
    external_data_dir,
    missing_message,
)


def rich_tables(frame: pd.DataFrame) -> list[Table]:
    """The report as rich tables: the main table, then one for its long text columns."""
    long, percent = frame.attrs.get("long", []), frame.attrs.get("percent", [])
    main = Table(title=frame.attrs.get("title"), title_justify="left")
    columns = [c for c in frame.columns if c not in long]
    for name in columns:
        numeric = pd.api.types.is_numeric_dtype(frame[name])
        main.add_column(name, justify="right" if numeric else "left")
    for _, row in frame.iterrows():
        main.add_row(*(f"{100 * row[c]:.1f}%" if c in percent else f"{row[c]}" for c in columns))
    tables = [main]
    for name in long:
        extra = Table(title=f"{name} ({frame.columns[0]})", title_justify="left")
        extra.add_column(frame.columns[0])
        extra.add_column(name, overflow="fold")
        for _, row in frame.iterrows():
            if row[name]:
                extra.add_row(str(row.iloc[0]).strip(), str(row[name]))
        tables.append(extra)
    return tables


def main() -> int:
    """Print both reports, or say that the external data folder is absent (status 0 either way)."""
    console = Console(highlight=False, width=200)
    folder = external_data_dir()
    if folder is None:
        console.print(missing_message())
        return 0
    console.print(f"External data folder: {folder}")
    total = time.perf_counter()
    for build in (ctdc_report, brazil_sector_profile):
        start = time.perf_counter()
        try:
            report = build(folder)
        except ExternalDataMissing as exc:
            console.print(str(exc))
            continue
        seconds = time.perf_counter() - start
        for table in rich_tables(report):
            console.print(table)
        for note in report.attrs.get("notes", []):
            console.print(note)
        console.print(f"[dim]{build.__name__}: {seconds:.2f} s[/dim]\n")
    console.print(f"Both reports in {time.perf_counter() - total:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
