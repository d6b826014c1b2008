"""What a worker does with one partition, in two passes around the global decisions.

**Pass 1** (:class:`ScorePartition`): load and validate the partition's files exactly as one
upload is loaded (:func:`screening.ingest.loaders.load_upload`: the rejected rows name the
partition's file and its row), run the unchanged rule engine and model over it
(:func:`screening.pipeline.score_frames`), and keep its list rows, in the partition's own
follow-up order, in the staging folder. Only the few columns the global decisions need go
back to the client (tier, risk score, rule score, and hashes of the site and visit ids to
check that no site and no visit is in two partitions).

**Pass 2** (:class:`WritePartition`): give the partition's rows their place in the whole list
(rank, selected, exploration, selection probability, decided by the client over all
partitions) and write the partition's part of the follow-up list, sorted by rank.

The follow-up order of a partition is the whole list's order restricted to it (one stable
sort with the same keys), so pass 2 only has to check that the ranks rise.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from screening.ingest.bounds import Bounds
from screening.ingest.loaders import load_upload
from screening.pipeline import ranked_list, score_frames
from screening.priority import order
from screening.rules.engine import RuleEngine, rule_engine
from screening.scale.layout import Partition

#: The columns pass 1 hands to the client, one row per screened visit, in upload order.
KEYS = pd.DataFrame({
    "tier": pd.Series(dtype=np.int8), "risk_score": pd.Series(dtype="float64"),
    "rule_score": pd.Series(dtype="float64"), "site_hash": pd.Series(dtype=np.uint64),
    "visit_hash": pd.Series(dtype=np.uint64),
})  # fmt: skip

#: Where each pass keeps its files inside the staging folder.
LISTS, REJECTED, RECEIPTS, RANKING = "list", "rejected", "receipts", "ranking"
POSITION = "_position"  # the row's place in the partition's screened visits (upload order)


def staged(staging: Path, kind: str, name: str) -> Path:
    """The staging file of a partition for one kind of content (parent folders made)."""
    path = staging / kind / (name if kind != RECEIPTS else f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _hashes(values: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(values.astype("str"), index=False).to_numpy()


def _has_rows(path: Path | None) -> bool:
    return path is not None and pq.read_metadata(path).num_rows > 0


@dataclass
class ScorePartition:
    """Pass 1 over one partition (a callable for :func:`dask.dataframe.from_map`).

    Parameters
    ----------
    staging : Path
        The staging folder (on a file system every worker sees).
    lang : str
        Language of the reasons.
    model : TrainedModel or None
        The model, shipped to the workers with the task.
    engine : RuleEngine or None
        A rule engine over another catalogue; the bundled one (built once per worker) if None.
    bounds : Bounds or None
        The bounds of one file (:class:`screening.ingest.bounds.Bounds`; default its defaults).
    """

    staging: Path
    lang: str = "en"
    model: object = None
    engine: RuleEngine | None = None
    bounds: Bounds | None = None
    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __dask_tokenize__(self) -> tuple:  # noqa: D105 - one run, one token (no model hashing)
        return (type(self).__name__, str(self.staging), self.run)

    def __call__(self, part: Partition) -> pd.DataFrame:
        """Screen one partition; keep its list rows and rejected rows in the staging folder,
        return its :data:`KEYS`."""
        interviews = part.interviews if _has_rows(part.interviews) else None
        loaded = load_upload(part.visits, interviews, self.bounds)
        visits = loaded.visits
        engine = self.engine or rule_engine(self.lang)
        scored = score_frames(visits, loaded.interviews, engine=engine, model=self.model)
        listed = ranked_list(visits, scored, capacity=0)
        risk = (np.full(len(visits), np.nan) if scored.risk_score is None
                else np.asarray(scored.risk_score, dtype="float64"))
        listed[POSITION] = order(scored.tier, risk, scored.result.rule_score)
        # Arrow's own file format: written and read back at memory speed (Parquet once, at
        # the end)
        listed.to_feather(staged(self.staging, LISTS, part.name))
        if len(loaded.rejected):
            rejected = loaded.rejected
            rejected.astype({c: "str" for c in rejected.columns if c != "row"}).to_parquet(
                staged(self.staging, REJECTED, part.name), index=False)
        receipt = {"rows_read": loaded.rows_read, "blank_rows": loaded.blank_rows,
                   "rejected_rows": loaded.rejected_rows, "screened": len(visits)}
        staged(self.staging, RECEIPTS, part.name).write_text(json.dumps(receipt))
        return pd.DataFrame({
            "tier": np.asarray(scored.tier.codes, dtype=np.int8), "risk_score": risk,
            "rule_score": np.asarray(scored.result.rule_score, dtype="float64"),
            "site_hash": _hashes(visits["site_id"]), "visit_hash": _hashes(visits["visit_id"]),
        })  # fmt: skip


@dataclass
class WritePartition:
    """Pass 2 over one partition: its rows' places in the whole list, written sorted by rank.

    Returns the partition's rows among the first ``top`` of the whole list (for the
    terminal's table).
    """

    staging: Path
    out_dir: Path
    top: int = 20
    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __dask_tokenize__(self) -> tuple:  # noqa: D105
        return (type(self).__name__, str(self.staging), self.run)

    def __call__(self, part: Partition) -> pd.DataFrame:
        """Write the partition's part of the follow-up list; return its top rows."""
        listed = pd.read_feather(staged(self.staging, LISTS, part.name))
        decided = pd.read_parquet(staged(self.staging, RANKING, part.name))
        at = listed.pop(POSITION).to_numpy()
        for column in ("rank", "exploration", "selected", "selection_probability"):
            listed[column] = decided[column].to_numpy()[at]
        ranks = listed["rank"].to_numpy()
        if len(ranks) > 1 and not (np.diff(ranks) > 0).all():
            raise RuntimeError(f"{part.name}: the partition's order is not the list's order "
                               "restricted to it; the list would be wrong.")  # a bug, not data
        target = self.out_dir / part.name
        target.parent.mkdir(parents=True, exist_ok=True)
        listed.to_parquet(target, index=False)
        return listed[listed["rank"] <= self.top]


__all__ = ["KEYS", "POSITION", "ScorePartition", "WritePartition", "staged"]
