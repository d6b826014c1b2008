"""The decisions over the whole folder, on the client: the checks that the folder is
partitioned by site, then the order, capacity and exploration draw of the follow-up list.

They need a few columns of every screened visit (tier, risk score, rule score: 17 bytes a
visit, 170 MB for 10 million) and go through the very functions the pandas path uses
(:func:`screening.priority.follow_up_capacity` and :func:`screening.priority.ranking`), over
the visits in upload order, so the list is the same as if the folder were one file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from indicators import TIER_ORDER
from screening.errors import LoaderError
from screening.priority import follow_up_capacity, ranking
from screening.scale.layout import Partition
from screening.scale.partitions import LISTS, RANKING, staged


def _crossing(hashes: np.ndarray, part_of: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of partitions that share a hash value (a few, for the message)."""
    by = np.lexsort((part_of, hashes))
    h, p = hashes[by], part_of[by]
    shared = np.flatnonzero((h[1:] == h[:-1]) & (p[1:] != p[:-1]))
    return sorted({(int(p[i]), int(p[i + 1])) for i in shared[:20]})


def _common(staging: Path, parts: list[Partition], pair: tuple[int, int], column: str
            ) -> list[str]:
    """The values of ``column`` two partitions really share (a hash can collide)."""
    a, b = (set(pd.read_feather(staged(staging, LISTS, parts[i].name), columns=[column])
                [column].astype("str")) for i in pair)
    return sorted(a & b)


def check_partitioned(keys: dict[str, np.ndarray], counts: np.ndarray,
                      parts: list[Partition], staging: Path, folder: Path) -> None:
    """Refuse a folder in which a site's visits, or one visit id, are in two partitions.

    The model's site history needs every visit of a site in one partition, and a visit id
    repeated in two files would be two rows of the list. Raises
    :class:`~screening.errors.LoaderError` naming the site (or visit) and both files.
    """
    part_of = np.repeat(np.arange(len(counts)), counts)
    for column, hashes, why in (
        ("site_id", keys["site_hash"], "every visit of a site must be in one file (the "
         "model's site history needs them all): partition the folder by site_id, e.g. with "
         "screening.scale.write_partitioned"),
        ("visit_id", keys["visit_hash"], "a visit_id must be unique in the whole upload"),
    ):
        for pair in _crossing(hashes, part_of):
            shared = _common(staging, parts, pair, column)
            if shared:
                files = " and ".join(parts[i].name for i in pair)
                raise LoaderError(folder, f"{column} '{shared[0]}' is in {files} "
                                          f"({len(shared)} shared in all): {why}")


def decide(keys: dict[str, np.ndarray], capacity: float, exploration: float,
           seed: int | None) -> pd.DataFrame:
    """The whole list's decisions per screened visit, in upload order: ``rank``,
    ``exploration``, ``selected`` and ``selection_probability``.

    >>> keys = {"tier": np.array([0, 3, 2], dtype=np.int8), "risk_score": np.full(3, np.nan),
    ...         "rule_score": np.array([1.0, 9.0, 5.0])}
    >>> decide(keys, 0.5, 0.0, 0)[["rank", "selected"]].values.tolist()
    [[3, False], [1, False], [2, True]]
    """
    tier = pd.Categorical.from_codes(keys["tier"], categories=list(TIER_ORDER))
    idx, selected, explore, probability = ranking(
        tier, keys["risk_score"], keys["rule_score"], follow_up_capacity(tier, capacity),
        exploration, seed)
    rank = np.empty(len(idx), dtype=np.int64)
    rank[idx] = np.arange(1, len(idx) + 1, dtype=np.int64)
    return pd.DataFrame({"rank": rank, "exploration": explore, "selected": selected,
                         "selection_probability": probability})


def write_decisions(decided: pd.DataFrame, counts: np.ndarray, parts: list[Partition],
                    staging: Path) -> None:
    """Hand each partition its slice of the decisions (a staging file per partition)."""
    ends = np.cumsum(counts)
    for part, end, count in zip(parts, ends, counts, strict=True):
        decided.iloc[end - count:end].to_parquet(staged(staging, RANKING, part.name),
                                                 index=False)


def tier_counts(tier_codes: np.ndarray) -> dict[str, int]:
    """Visits per tier, urgent first.

    >>> tier_counts(np.array([0, 3, 3], dtype=np.int8))
    {'urgent': 2, 'high': 0, 'medium': 0, 'low': 1}
    """
    counts = np.bincount(np.asarray(tier_codes, dtype=np.int64), minlength=len(TIER_ORDER))
    return {t: int(counts[i]) for i, t in reversed(list(enumerate(TIER_ORDER)))}


__all__ = ["check_partitioned", "decide", "tier_counts", "write_decisions"]
