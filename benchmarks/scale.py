"""National volumes: ``screening screen --engine dask`` on 10 million visits with interviews
against the pandas path on 1 million, in the same run; and the two lists compared on a
200k-visit sample.

The folder is written in batches of a million visits (each batch its own sites, written as
ten site partitions), so generating it never holds more than one batch. The Dask command runs
as a subprocess, whole (start-up, local cluster, both passes, writing); its peak memory is the
sum over the command and every process it starts (scheduler, nannies, workers).
``BENCH_DASK_VISITS`` (default 10,000,000) makes it smaller while developing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.common import PeakTreeRSS, measure

BATCH = 1_000_000
PARTS_PER_BATCH = 10
INTERVIEWS_PER_VISIT = 3.0
SAMPLE = 200_000
GB = 1024**3


def _batch(k: int, n: int):
    """Batch ``k``: synthetic visits and interviews whose visit and site ids are its own."""
    from screening.datasets.synthetic import generate

    data = generate(n, seed=100 + k, interviews_per_visit=INTERVIEWS_PER_VISIT)
    for frame, columns in ((data.visits, ("visit_id", "site_id")),
                           (data.interviews, ("visit_id",))):
        for column in columns:
            frame[column] = f"B{k:02d}-" + frame[column].astype("str")
    return data


def _pandas_seconds(visits: Path, interviews: Path, out: Path, model) -> tuple[float, int]:
    """The pandas path on one upload: load and validate, screen with the model, write."""
    from screening.ingest.bounds import Bounds
    from screening.ingest.loaders import load_upload
    from screening.outputs.reports import write_list
    from screening.pipeline import screen_frames

    unbounded = Bounds(max_rows=10**9, max_decompressed_mb=1e6)  # 3M interviews in one file

    def run() -> None:
        loaded = load_upload(visits, interviews, unbounded)
        write_list(screen_frames(loaded.visits, loaded.interviews, model=model).follow_up, out)

    seconds, peak, _ = measure(run)
    return seconds, peak


def _dask_command(folder: Path, out: Path) -> tuple[float, int, str]:
    """``screening screen --engine dask`` whole, as a subprocess: seconds, peak tree RSS."""
    command = [str(Path(sys.executable).with_name("screening")), "screen", "--engine", "dask",
               str(folder / "visits"), "--interviews", str(folder / "interviews"),
               "--model", "default", "--out", str(out), "--top", "5"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakTreeRSS(proc.pid) as rss:
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"screen --engine dask failed ({proc.returncode}):\n{stderr}")
    return seconds, rss.peak, stdout + stderr


def _sample_identical(root: Path, model) -> tuple[float, str, bool]:
    """Both paths on a 200k-visit sample: the Dask list against the pandas list."""
    from screening.pipeline import screen_files
    from screening.scale import partitions, screen_folder, write_partitioned

    data = _batch(99, SAMPLE)
    write_partitioned(data.visits, data.interviews, root / "sample", 8)
    del data
    parts = partitions(root / "sample" / "visits", root / "sample" / "interviews")
    for table in ("visits", "interviews"):
        pd.concat([pd.read_parquet(getattr(p, table)) for p in parts], ignore_index=True
                  ).to_parquet(root / f"sample-{table}.parquet", index=False)
    start = time.perf_counter()
    screen_folder(root / "sample" / "visits", root / "sample" / "interviews",
                  root / "sample-list", model=model)
    seconds = time.perf_counter() - start
    got = pd.read_parquet(root / "sample-list").sort_values("rank").reset_index(drop=True)
    screening, _ = screen_files(root / "sample-visits.parquet", root / "sample-interviews.parquet",
                                model=model)
    expected = screening.follow_up
    differ = [c for c in expected.columns
              if len(got) != len(expected) or not got[c].equals(expected[c])]
    same = not differ and got.dtypes.equals(expected.dtypes)
    note = ("identical: ranks, tiers, risk and rule scores, reasons, urgent, selection and "
            "exploration" if same else f"columns that differ: {differ}")
    return seconds, note, same


def _progress(line: str) -> None:
    """A line on standard error as each part ends (the runner shows only the table)."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def bench_dask() -> list[dict]:
    """10M visits on Dask vs 1M on pandas (same run), and the lists compared on 200k."""
    from screening.model.versions import load
    from screening.rules.catalogue import load_catalogue
    from screening.scale import write_partitioned

    total = int(os.environ.get("BENCH_DASK_VISITS", 10_000_000))
    batches = max(1, total // BATCH)
    model = load("default", load_catalogue())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample_s, note, same = _sample_identical(root, model)
        _progress(f"sample compared in {sample_s:.0f} s: {note}")
        folder, interviews = root / "folder", 0
        for k in range(batches):
            data = _batch(k, total // batches)
            if k == 0:  # the pandas path's upload: the first million as one file per table
                data.visits.to_parquet(root / "visits.parquet", index=False)
                data.interviews.to_parquet(root / "interviews.parquet", index=False)
                pandas_visits = len(data.visits)
            interviews += len(data.interviews)
            write_partitioned(data.visits, data.interviews, folder, PARTS_PER_BATCH,
                              prefix=f"b{k:02d}")
            del data
        _progress(f"wrote {total:,} visits in {batches * PARTS_PER_BATCH} partitions")
        pandas_s, pandas_peak = _pandas_seconds(root / "visits.parquet",
                                                root / "interviews.parquet",
                                                root / "pandas-list.parquet", model)
        _progress(f"pandas path on {pandas_visits:,} visits: {pandas_s:.0f} s, "
                  f"{pandas_peak / GB:.2f} GB")
        dask_s, dask_peak, _ = _dask_command(folder, root / "list")
        _progress(f"dask on {total:,} visits: {dask_s:.0f} s, {dask_peak / GB:.2f} GB")
    ratio = dask_s / pandas_s
    scale = total / pandas_visits
    return [
        {"benchmark": "pandas path: load, validate, rules, model, rank, write Parquet",
         "rows": f"{pandas_visits:,} visits + interviews", "seconds": pandas_s,
         "rows_per_s": pandas_visits / pandas_s, "peak_rss": pandas_peak, "target": "",
         "ok": True, "note": "the baseline of the Dask row"},
        {"benchmark": "screen --engine dask, whole command (local cluster, one worker a core; "
                      "peak RSS of all its processes)",
         "rows": f"{total:,} visits + {interviews:,} interviews, "
                 f"{batches * PARTS_PER_BATCH} site partitions",
         "seconds": dask_s, "rows_per_s": total / dask_s, "peak_rss": dask_peak,
         "target": f"<= {1.2 * scale:g}x pandas on {pandas_visits / 1e6:g}M, < 4 GB",
         "ok": ratio <= 1.2 * scale and dask_peak < 4 * GB,
         "note": f"ratio {ratio:.1f}x the pandas path's {pandas_visits:,} visits"},
        {"benchmark": "Dask list vs pandas list of the same upload",
         "rows": f"{SAMPLE:,} visits, 8 partitions", "seconds": sample_s,
         "rows_per_s": SAMPLE / sample_s, "peak_rss": None, "target": "the same list",
         "ok": same, "note": note},
    ]


__all__ = ["bench_dask"]
