"""The benchmarks. Each runs in its own process (``python -m benchmarks.suite NAME``) so that its
peak memory is its own; ``python -m benchmarks`` runs them all and prints one table."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import best_of, emit, measure

N_VISITS = int(os.environ.get("BENCH_VISITS", 1_000_000))  # smaller while developing
INTERVIEWS_PER_VISIT = 3.0
SAMPLE = 20_000
RUNS = 3  # ratio benchmarks time both sides this many times and keep the fastest
GB = 1024**3


def _data(n: int = N_VISITS):
    from screening.datasets.synthetic import generate

    return generate(n, seed=7, interviews_per_visit=INTERVIEWS_PER_VISIT)


def _baseline(name: str, seconds: float) -> dict:
    """A row for the plain pandas reader a ratio is measured against."""
    return {"benchmark": name, "rows": f"{N_VISITS:,} visits", "seconds": seconds,
            "rows_per_s": N_VISITS / seconds, "peak_rss": None, "target": "", "ok": True,
            "note": ""}


def bench_engine() -> list[dict]:
    """Rule engine only, from in-memory frames: 1M visits + ~3M interviews."""
    from screening.rules.engine import RuleEngine

    data = _data()
    engine = RuleEngine()
    seconds, peak, result = measure(lambda: engine.run(data.visits, data.interviews))
    fired = int(result.fired.to_numpy().sum())
    return [
        {
            "benchmark": "rule engine, in memory (features, ICLS, fired matrix, evidence, tiers)",
            "rows": f"{len(data.visits):,} visits + {len(data.interviews):,} interviews",
            "seconds": seconds,
            "rows_per_s": len(data.visits) / seconds,
            "peak_rss": peak,
            "target": "< 5 s, < 3 GB",
            "ok": seconds < 5 and peak < 3 * GB,
            "note": f"{fired:,} fired cells, {len(result.evidence):,} evidence sentences",
        }
    ]


def bench_rule_engine() -> list[dict]:
    """Our compiled rules over 1M rows against the `rule-engine` package row by row on 20k."""
    import rule_engine

    from benchmarks.rule_engine_port import to_rule_engine
    from screening.rules.engine import RuleEngine
    from screening.rules.expr import ColumnCache

    data = _data()
    engine = RuleEngine()
    result = engine.run(data.visits, data.interviews)
    features, cat = result.features, engine.catalogue

    def ours() -> np.ndarray:
        cache = ColumnCache(features, cat.site_types)
        return np.column_stack([ind.rule.fires(cache) for ind in cat.site])

    ours_s, ours_peak, ours_fired = measure(ours)
    theirs_rules = [rule_engine.Rule(to_rule_engine(ind.rule.tree)) for ind in cat.site]
    sample = features.sample(SAMPLE, random_state=0)
    bools = [c for c, t in cat.site_types.items() if t == "bool" and c in sample]
    rows = sample.astype(object).where(sample.notna(), None)
    for c in bools:
        rows[c] = rows[c].map(lambda v: None if v is None else bool(v))
    records = rows.to_dict("records")

    def theirs() -> np.ndarray:
        return np.array([[r.matches(rec) for r in theirs_rules] for rec in records])

    theirs_s, _, theirs_fired = measure(theirs)
    positions = features.index.get_indexer(sample.index)
    agree = float((theirs_fired == ours_fired[positions]).mean())
    scaled = theirs_s * (N_VISITS / SAMPLE)
    evals = SAMPLE * len(theirs_rules)
    return [
        {
            "benchmark": f"our compiled rules ({len(cat.site)} site rules)",
            "rows": f"{N_VISITS:,} visits",
            "seconds": ours_s,
            "rows_per_s": N_VISITS / ours_s,
            "peak_rss": ours_peak,
            "target": "",
            "ok": True,
            "note": "",
        },
        {
            "benchmark": "rule-engine package, row by row (20k measured, scaled to 1M)",
            "rows": f"{SAMPLE:,} visits",
            "seconds": scaled,
            "rows_per_s": SAMPLE / theirs_s,
            "peak_rss": None,
            "target": "ours >= 500x faster",
            "ok": scaled / ours_s >= 500,
            "note": f"ratio {scaled / ours_s:,.0f}x; {evals / theirs_s:,.0f} rule evaluations/s; "
            f"agreement with ours {agree:.2%}",
        },
    ]


def _as_another_tool_writes(visits: pd.DataFrame, path: Path) -> None:
    """Write visits to Parquet as a tool other than pandas does (issue 14): pyarrow's types
    (true/false columns with gaps stay booleans with nulls, dates are ``date32``), no pandas
    metadata, so ``pandas.read_parquet`` makes Python objects of the booleans and dates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(visits, preserve_index=False)
    i = table.schema.get_field_index("visit_date")
    table = table.set_column(i, "visit_date", table.column(i).cast(pa.date32()))
    table = table.replace_schema_metadata(None)
    flags = [f.name for f in table.schema if pa.types.is_boolean(f.type)]
    assert flags and all(table.column(f).null_count for f in flags), "booleans with gaps"
    pq.write_table(table, path)


def _process(args: list[str]) -> tuple[float, int]:
    """Run a command as its own process: (wall seconds, its peak RSS in bytes, sampled every
    5 ms; the kernel's ru_maxrss would count the parent's memory copied at fork)."""
    import subprocess

    import psutil

    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stop the child
        start = time.perf_counter()
        child = psutil.Popen(args, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while child.poll() is None:
            try:
                peak = max(peak, child.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        if child.wait() != 0:
            errors.seek(0)
            said = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(args)} exited {child.returncode}: {said}")
    return seconds, peak


def _best_process(runs: int, args: list[str]) -> tuple[float, int]:
    measured = [_process(args) for _ in range(runs)]
    return min(m[0] for m in measured), max(m[1] for m in measured)


def bench_screen_parquet() -> list[dict]:
    """`screening screen FILE --format parquet --out OUT` as a whole process, against a process
    that only reads the file (`python -c` read_parquet), on a 1M-visit Parquet file written as
    another tool writes it (booleans with gaps, dates as date32, no pandas metadata)."""
    data = _data()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "visits.parquet", Path(tmp) / "follow-up.parquet"
        _as_another_tool_writes(data.visits, src)
        del data
        read = [sys.executable, "-c", "import sys, pandas; pandas.read_parquet(sys.argv[1])",
                str(src)]
        screen = [sys.executable, "-m", "screening", "screen", str(src), "--format", "parquet",
                  "--out", str(out)]
        read_s, read_peak = _best_process(RUNS, read)
        screen_s, peak = _best_process(RUNS, screen)
        written = len(pd.read_parquet(out, columns=["rank"]))
    ratio = screen_s / read_s
    return [
        {**_baseline("process: python -c pandas.read_parquet(FILE) alone", read_s),
         "peak_rss": read_peak},
        {
            "benchmark": "process: screening screen FILE --format parquet --out OUT "
                         "(start-up, load, validate, screen, write)",
            "rows": f"{N_VISITS:,} visits",
            "seconds": screen_s,
            "rows_per_s": N_VISITS / screen_s,
            "peak_rss": peak,
            "target": "<= 3x the reading process",
            "ok": ratio <= 3 and written == N_VISITS,
            "note": f"ratio {ratio:.1f}x the reading process; {written:,} visits written",
        },
    ]


def bench_validate_csv() -> list[dict]:
    """Bulk validation of a 1M-row visits CSV vs pandas.read_csv of the same file."""
    from screening.ingest.loaders import load_upload

    data = _data()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "visits.csv"
        data.visits.to_csv(src, index=False, date_format="%Y-%m-%d")
        del data
        read_s, _, _ = best_of(RUNS, lambda: pd.read_csv(src))
        load_s, peak, loaded = best_of(RUNS, lambda: load_upload(src))
    ratio = load_s / read_s
    return [
        _baseline("pandas.read_csv alone", read_s),
        {
            "benchmark": "load + validate visits CSV (read, bulk checks, rejected table)",
            "rows": f"{N_VISITS:,} visits",
            "seconds": load_s,
            "rows_per_s": N_VISITS / load_s,
            "peak_rss": peak,
            "target": "<= 3x read_csv",
            "ok": ratio <= 3 and len(loaded.visits) == N_VISITS,
            "note": f"ratio {ratio:.1f}x read_csv; {len(loaded.visits):,} valid",
        },
    ]


def bench_train() -> list[dict]:
    """Training (engine, features, booster, calibration, evaluation) on 100k + ~300k."""
    from screening.model.training import train

    data = _data(100_000)
    seconds, peak, (_, report) = measure(lambda: train(data.visits, data.interviews,
                                                       data.outcomes))
    return [{
        "benchmark": "train: engine, features, boosted trees, calibration, held-out evaluation",
        "rows": f"{len(data.visits):,} visits + {len(data.interviews):,} interviews",
        "seconds": seconds, "rows_per_s": len(data.visits) / seconds, "peak_rss": peak,
        "target": "< 60 s", "ok": seconds < 60,
        "note": f"{report.facts['iterations']} boosting iterations",
    }]


def bench_score() -> list[dict]:
    """Rules + model on 1M visits + ~3M interviews, in memory, to the follow-up list."""
    from screening.model.versions import load
    from screening.pipeline import screen_frames
    from screening.rules.catalogue import load_catalogue

    data = _data()
    model = load("default", load_catalogue())
    seconds, peak, screening = measure(
        lambda: screen_frames(data.visits, data.interviews, model=model))
    escalated = int(screening.escalated.sum())
    return [{
        "benchmark": "score with rules + model (models/default) to the ranked follow-up list",
        "rows": f"{len(data.visits):,} visits + {len(data.interviews):,} interviews",
        "seconds": seconds, "rows_per_s": len(data.visits) / seconds, "peak_rss": peak,
        "target": "< 10 s, < 4 GB", "ok": seconds < 10 and peak < 4 * GB,
        "note": f"{escalated:,} visits escalated by the model",
    }]


def bench_bulk_store() -> list[dict]:
    """Store 1M visits and export them, SQLite and PostgreSQL (benchmarks/bulk_store.py)."""
    from benchmarks.bulk_store import bench_bulk_store as run

    return run(N_VISITS)


BENCHMARKS = {
    "engine": bench_engine,
    "rule_engine": bench_rule_engine,
    "screen_parquet": bench_screen_parquet,
    "validate_csv": bench_validate_csv,
    "train": bench_train,
    "score": bench_score,
    "bulk_store": bench_bulk_store,
}

if __name__ == "__main__":
    name = sys.argv[1]
    start = time.perf_counter()
    emit(BENCHMARKS[name]())
