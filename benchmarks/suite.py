"""The benchmarks. Each runs in its own process (``python -m benchmarks.suite NAME``) so that its
peak memory is its own; ``python -m benchmarks`` runs them all and prints one table."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import best_of, emit, measure
from benchmarks.scale import bench_dask

N_VISITS = 1_000_000
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


def bench_screen_parquet() -> list[dict]:
    """`screening screen` on a 1M-visit Parquet file with Parquet output vs read_parquet."""
    from screening.outputs.reports import write_list
    from screening.pipeline import screen_files

    data = _data()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "visits.parquet", Path(tmp) / "follow-up.parquet"
        data.visits.to_parquet(src, index=False)
        del data
        read_s, _, _ = best_of(RUNS, lambda: pd.read_parquet(src))

        def end_to_end() -> None:
            screening, _ = screen_files(src)
            write_list(screening.follow_up, out)

        screen_s, peak, _ = best_of(RUNS, end_to_end)
    return [
        _baseline("pandas.read_parquet alone", read_s),
        {
            "benchmark": "screen Parquet -> Parquet, end to end (load, validate, screen, write)",
            "rows": f"{N_VISITS:,} visits",
            "seconds": screen_s,
            "rows_per_s": N_VISITS / screen_s,
            "peak_rss": peak,
            "target": "<= 10x read_parquet",
            "ok": screen_s / read_s <= 10,
            "note": f"ratio {screen_s / read_s:.1f}x read_parquet",
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
    return [
        _baseline("pandas.read_csv alone", read_s),
        {
            "benchmark": "load + validate visits CSV (bulk checks, rejected table)",
            "rows": f"{N_VISITS:,} visits",
            "seconds": load_s,
            "rows_per_s": N_VISITS / load_s,
            "peak_rss": peak,
            "target": "< 15 s",
            "ok": load_s < 15,
            "note": f"ratio {load_s / read_s:.1f}x read_csv; {len(loaded.visits):,} valid",
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
    "dask": bench_dask,  # 10M visits: the longest by far (about half an hour on 2 cores)
}

if __name__ == "__main__":
    name = sys.argv[1]
    start = time.perf_counter()
    emit(BENCHMARKS[name]())
