"""Run every benchmark in its own process and print one table (``make bench``)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

from rich.console import Console
from rich.table import Table

from benchmarks.suite import BENCHMARKS


def main(names: list[str]) -> int:
    """Run the named benchmarks (all by default); exit 1 if a target is missed."""
    console = Console(highlight=False, width=220)
    rows = []
    for name in names or list(BENCHMARKS):
        console.print(f"running {name} ...", style="dim")
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.suite", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            console.print(proc.stderr)
            return 2
        rows.extend(json.loads(proc.stdout.strip().splitlines()[-1]))
    table = Table(title=f"Benchmarks ({os.cpu_count()} cores, Python {platform.python_version()})")
    for col in ("benchmark", "rows", "seconds", "rows/s", "peak RSS", "target", "met", "notes"):
        table.add_column(col, overflow="fold")
    for r in rows:
        rss = "" if r["peak_rss"] is None else f"{r['peak_rss'] / 1024**3:.2f} GB"
        table.add_row(
            r["benchmark"],
            r["rows"],
            f"{r['seconds']:.2f}",
            f"{r['rows_per_s']:,.0f}",
            rss,
            r["target"],
            "yes" if r["ok"] else "NO",
            r["note"],
        )
    console.print(table)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
