"""Screen a folder partitioned by site on a Dask cluster: the follow-up list of national
volumes, the same list the pandas path makes of the same upload as one file.

1. Every partition is loaded, validated and screened by the unchanged rule engine and model
   on a worker (:class:`~screening.scale.partitions.ScorePartition` through
   :func:`dask.dataframe.from_map`, one partition per file); its list rows wait in a staging
   folder, and only tier, risk score and rule score come back.
2. The client checks that no site and no visit is in two partitions, then decides the order,
   the capacity and the exploration draw over all visits at once
   (:mod:`screening.scale.decisions`).
3. Every partition writes its part of the list, sorted by rank, under the same name as its
   visits file (:class:`~screening.scale.partitions.WritePartition`).

Memory stays bounded: a worker holds one partition at a time, the client a few columns of
every visit. The folders must be readable, and the output folder writable, at the same paths
on every worker (one machine, or a shared file system).
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from screening.errors import UsageError
from screening.ingest.bounds import Bounds
from screening.outputs.reports import list_text, rejected_path
from screening.pipeline import CAPACITY, EXPLORATION
from screening.scale.cluster import dask_client
from screening.scale.decisions import check_partitioned, decide, tier_counts, write_decisions
from screening.scale.layout import Partition, partitions
from screening.scale.partitions import (
    KEYS,
    LISTS,
    POSITION,
    RECEIPTS,
    REJECTED,
    ScorePartition,
    WritePartition,
    staged,
)

if TYPE_CHECKING:
    from distributed import Client

    from screening.model.classifier import TrainedModel
    from screening.rules.engine import RuleEngine

#: The file that marks a folder as a follow-up list written here (readers skip ``_`` files).
MANIFEST = "_follow-up.json"


@dataclass
class FolderScreening:
    """What :func:`screen_folder` did.

    Attributes
    ----------
    out_dir : Path
        The follow-up list: one Parquet file per partition, named as its visits file and
        sorted by rank (``pandas.read_parquet(out_dir)`` reads the whole list).
    files : list of Path
        Those files, in the partitions' order.
    screened : int
        Visits in the list.
    tiers : dict of str to int
        Visits per tier, urgent first.
    top : DataFrame
        The first rows of the list (the ``top`` asked for), in rank order.
    rows_read, blank_rows : dict of str to int
        Rows read and blank rows skipped per table, over all partitions.
    rejected_rows : int
        Rows rejected over all partitions (their cells are in ``rejected_file``).
    rejected_file : Path or None
        ``<out_dir>.rejected.csv`` when rows were rejected (as the pandas path writes it).
    """

    out_dir: Path
    files: list[Path]
    screened: int
    tiers: dict[str, int]
    top: pd.DataFrame
    rows_read: dict[str, int] = field(default_factory=dict)
    blank_rows: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    rejected_file: Path | None = None


def _previous_list(out_dir: Path) -> list[Path]:
    """The files of a list written here before (replaced once the new one is decided). An
    output folder must be new, empty, or hold such a list and nothing else."""
    if not out_dir.exists():
        return []
    if not out_dir.is_dir():
        raise UsageError(f"The output {out_dir} is a file; --engine dask writes a folder.")
    manifest = out_dir / MANIFEST
    ours = {manifest}
    if manifest.exists():
        names = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        ours |= {out_dir / name for name in names}
    others = [p for p in out_dir.rglob("*") if p.is_file() and p not in ours
              and not p.relative_to(out_dir).parts[0].startswith(".staging-")]
    if others:
        names = sorted(p.relative_to(out_dir).as_posix() for p in others)
        raise UsageError(f"The output folder {out_dir} holds other files "
                         f"({', '.join(names[:3])}); give an empty or new folder.")
    return sorted(p for p in ours if p.exists())


def _write_manifest(out: Path, parts: list[Partition], **facts: object) -> None:
    """``_follow-up.json``: the list's files first (so that an interrupted run's files are
    known as ours), then what was screened and how."""
    (out / MANIFEST).write_text(json.dumps({"files": [p.name for p in parts], **facts},
                                           indent=1), encoding="utf-8")


def _receipts(staging: Path, parts: list[Partition]) -> list[dict]:
    return [json.loads(staged(staging, RECEIPTS, p.name).read_text()) for p in parts]


def _write_rejected(staging: Path, parts: list[Partition], target: Path) -> None:
    """The rejected cells of every partition in one CSV file, a partition at a time."""
    with target.open("w", encoding="utf-8") as out:
        header = True
        for part in parts:
            path = staging / REJECTED / part.name
            if path.exists():
                text = list_text(pd.read_parquet(path), "csv")
                out.write(text if header else text.split("\n", 1)[1])
                header = False


def _gather_keys(client: Client, scorer: ScorePartition, parts: list[Partition]
                 ) -> dict[str, np.ndarray]:
    """Pass 1 on the cluster; the keys of every partition, joined in partition order."""
    import dask.dataframe as dd

    frame = dd.from_map(scorer, parts, meta=KEYS, label="screen-partition",
                        enforce_metadata=False)
    pieces = client.gather(client.compute(frame.to_delayed()))
    keys = {c: np.concatenate([p[c].to_numpy() for p in pieces]) if pieces
            else KEYS[c].to_numpy() for c in KEYS.columns}
    return keys


def screen_folder(visits_dir: str | Path, interviews_dir: str | Path | None, out_dir: str | Path,
                  *, model: TrainedModel | None = None, engine: RuleEngine | None = None,
                  lang: str = "en", capacity: float = CAPACITY, exploration: float = EXPLORATION,
                  seed: int | None = 0, top: int = 20, scheduler: str | Client | None = None,
                  workers: int | None = None, bounds: Bounds | None = None,
                  progress: Callable[[str], None] | None = None) -> FolderScreening:
    """Screen a folder upload partitioned by site (:mod:`screening.scale.layout`) on Dask and
    write the follow-up list as a folder of Parquet files.

    The list is the one :func:`screening.pipeline.screen_frames` makes of the same visits and
    interviews as one upload in the folder's order (files by name, rows in order): the same
    ranks, tiers, scores, reasons, urgent visits, selections and exploration draw.

    Parameters
    ----------
    visits_dir, interviews_dir : path
        The folder of visit files and the folder of interview files of the same names
        (None: no interviews).
    out_dir : path
        The list's folder: new, empty, or holding a list written here before (replaced).
    model, engine, lang, capacity, exploration, seed
        As :func:`screening.pipeline.screen_frames` (``engine``: the bundled catalogue's in
        ``lang`` when None).
    top : int
        How many of the first rows to return in :attr:`FolderScreening.top`.
    scheduler : str, distributed.Client or None
        A Dask scheduler's address (or a client); None starts a local cluster of ``workers``
        processes (default one per core), stopped at the end.
    bounds : Bounds, optional
        The bounds of one file (default: :class:`~screening.ingest.bounds.Bounds`'s).
    progress : callable, optional
        Called with ``"partitions"``, ``"ranking"`` and ``"writing"`` as each step starts.

    Raises
    ------
    LoaderError
        A file cannot be used, the folders' files do not pair up, or a site or visit id is
        in two partitions.
    UsageError
        The output folder holds other files, or no scheduler answers at the address.
    """
    step = progress or (lambda name: None)
    visits_dir, out = Path(visits_dir), Path(out_dir)
    parts = partitions(visits_dir, interviews_dir)
    previous = _previous_list(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{uuid.uuid4().hex[:12]}"
    try:
        with dask_client(scheduler, workers) as client:
            step("partitions")
            keys = _gather_keys(client, ScorePartition(staging, lang, model, engine, bounds),
                                parts)
            receipts = _receipts(staging, parts)
            counts = np.array([r["screened"] for r in receipts], dtype=np.int64)
            check_partitioned(keys, counts, parts, staging, visits_dir)
            step("ranking")
            decided = decide(keys, capacity, exploration, seed)
            tiers = tier_counts(keys["tier"])
            del keys
            write_decisions(decided, counts, parts, staging)
            del decided
            step("writing")
            for path in previous:
                path.unlink()
            _write_manifest(out, parts, complete=False)
            import dask.dataframe as dd

            meta = pd.read_feather(staged(staging, LISTS, parts[0].name)).iloc[:0]
            meta = meta.drop(columns=[POSITION])
            written = dd.from_map(WritePartition(staging, out, top), parts, meta=meta,
                                  label="write-partition", enforce_metadata=False)
            top_rows = client.compute(written).result()
        rows_read = {t: sum(r["rows_read"].get(t, 0) for r in receipts)
                     for t in ("visits", "interviews")}
        blank = {t: sum(r["blank_rows"].get(t, 0) for r in receipts)
                 for t in ("visits", "interviews")}
        rejected = sum(r["rejected_rows"] for r in receipts)
        rejected_file = None
        if rejected:
            rejected_file = rejected_path(out)
            _write_rejected(staging, parts, rejected_file)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = [out / p.name for p in parts]
    _write_manifest(out, parts, complete=True, screened=int(counts.sum()), tiers=tiers,
                    capacity=capacity, exploration=exploration, seed=seed,
                    model=None if model is None else model.info.get("version"))
    # dask hands text back as its own string type: the list's own types, as in the files
    top_rows = top_rows.astype(meta.dtypes.to_dict()).sort_values("rank").head(top)
    top_rows = top_rows.reset_index(drop=True)
    return FolderScreening(out, files, int(counts.sum()), tiers, top_rows, rows_read, blank,
                           rejected, rejected_file)


__all__ = ["MANIFEST", "FolderScreening", "screen_folder"]
