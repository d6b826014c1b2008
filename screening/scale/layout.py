"""The folder layout of a partitioned upload, and writing an upload in it.

A partitioned upload is a folder of Parquet visit files and, optionally, a folder of Parquet
interview files **with the same names** (``visits/part-003.parquet`` and
``interviews/part-003.parquet``): the interview file holds the interviews of the visits in the
visit file of its name. Every visit of a site is in one file (the folder is *partitioned by
site*): the model's site history looks at all the visits of a site. The files may sit in
sub-folders (``visits/2024/part-1.parquet``); a file's name is its path inside the folder.

The files are taken in the order of their names, and the rows of each in order: that is the
order of the upload, which decides ties in the follow-up list as it does for one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from screening.errors import LoaderError, UsageError


@dataclass(frozen=True)
class Partition:
    """One partition: its name (the path inside the folder), its visits file and its
    interviews file (None when the upload has no interviews)."""

    name: str
    visits: Path
    interviews: Path | None = None


def _parquet_files(folder: Path, what: str) -> dict[str, Path]:
    if not folder.is_dir():
        raise LoaderError(folder, f"the {what} folder does not exist (--engine dask reads a "
                                  "folder of Parquet files)")
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*.parquet")
             if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)}
    if not files:
        raise LoaderError(folder, f"the {what} folder holds no .parquet file")
    return files


def partitions(visits_dir: str | Path, interviews_dir: str | Path | None = None
               ) -> list[Partition]:
    """The partitions of a folder upload, in the order of their names.

    Files and folders whose names start with ``.`` or ``_`` are skipped (as Parquet readers
    skip them). With ``interviews_dir``, every visits file needs an interviews file of the
    same name and every interviews file a visits file; otherwise
    :class:`~screening.errors.LoaderError` names the files without a partner.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("visits/b.parquet", "visits/a.parquet", "interviews/a.parquet"):
    ...     (root / name).parent.mkdir(exist_ok=True)
    ...     (root / name).touch()
    >>> [p.name for p in partitions(root / "visits")]
    ['a.parquet', 'b.parquet']
    >>> partitions(root / "visits", root / "interviews")
    Traceback (most recent call last):
    ...
    screening.errors.LoaderError: ...interviews: the visits file b.parquet has no interviews \
file of the same name (an interviews file holds the interviews of the visits file of its name).
    """
    visits = _parquet_files(Path(visits_dir), "visits")
    if interviews_dir is None:
        return [Partition(name, visits[name]) for name in sorted(visits)]
    interviews = _parquet_files(Path(interviews_dir), "interviews")
    lonely_v = sorted(set(visits) - set(interviews))
    lonely_i = sorted(set(interviews) - set(visits))
    if lonely_v:
        raise LoaderError(interviews_dir, f"the visits file{'s' * (len(lonely_v) > 1)} "
                          f"{', '.join(lonely_v[:5])} {'have' if len(lonely_v) > 1 else 'has'} "
                          "no interviews file of the same name (an interviews file holds the "
                          "interviews of the visits file of its name)")
    if lonely_i:
        raise LoaderError(visits_dir, f"the interviews file{'s' * (len(lonely_i) > 1)} "
                          f"{', '.join(lonely_i[:5])} {'have' if len(lonely_i) > 1 else 'has'} "
                          "no visits file of the same name")
    return [Partition(name, visits[name], interviews[name]) for name in sorted(visits)]


def site_partition(site_id: pd.Series, count: int) -> np.ndarray:
    """The partition (0 .. ``count`` - 1) of each site: a hash of its id, so that every
    visit of a site lands in the same partition, whichever batch it comes in.

    >>> site_partition(pd.Series(["S1", "S2", "S1"]), 4).tolist()
    [3, 1, 3]
    """
    hashed = pd.util.hash_pandas_object(site_id.astype("str"), index=False).to_numpy()
    return (hashed % np.uint64(count)).astype(np.int64)


def write_partitioned(visits: pd.DataFrame, interviews: pd.DataFrame | None,
                      out_dir: str | Path, count: int, *, prefix: str = "part") -> list[Path]:
    """Write an upload (visits and interviews frames) as a folder partitioned by site.

    Visits go to ``out_dir/visits/<prefix>-<k>.parquet`` by :func:`site_partition`, each
    interview beside its visit in ``out_dir/interviews/<prefix>-<k>.parquet``; rows keep
    their order within a file. An interview whose visit is not in ``visits`` is written to no
    file: it is refused here, with its ``visit_id``, rather than lost. Call it once per batch
    with another ``prefix`` to write a large upload batch by batch (a site must then be in
    one batch only). Returns the visit files written.

    >>> import tempfile
    >>> v = pd.DataFrame({"visit_id": ["V1", "V2", "V3"], "site_id": ["S1", "S2", "S1"]})
    >>> i = pd.DataFrame({"visit_id": ["V3"], "worker_ref": ["W1"]})
    >>> root = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_partitioned(v, i, root, 4)]
    ['part-1.parquet', 'part-3.parquet']
    >>> pd.read_parquet(root / "interviews" / "part-3.parquet")["visit_id"].tolist()
    ['V3']
    """
    if count < 1:
        raise UsageError(f"The number of partitions must be at least 1. Got {count} instead.")
    out = Path(out_dir)
    part = site_partition(visits["site_id"], count)
    width = len(str(count - 1))
    interview_part = None
    if interviews is not None:
        where = pd.Series(part, index=pd.Index(visits["visit_id"].astype("str")))
        if where.index.has_duplicates:
            raise UsageError("The visits repeat a visit_id; each visit must be written once.")
        interview_part = where.reindex(interviews["visit_id"].astype("str")).to_numpy()
        unknown = np.isnan(interview_part)
        if unknown.any():
            missing = interviews["visit_id"].to_numpy()[unknown][:3].tolist()
            raise UsageError(f"Interviews refer to visits that are not given: {missing}.")
        (out / "interviews").mkdir(parents=True, exist_ok=True)
    (out / "visits").mkdir(parents=True, exist_ok=True)
    written = []
    for k in np.unique(part):
        name = f"{prefix}-{k:0{width}d}.parquet"
        visits[part == k].to_parquet(out / "visits" / name, index=False)
        written.append(out / "visits" / name)
        if interviews is not None:
            interviews[interview_part == k].to_parquet(out / "interviews" / name, index=False)
    return written


__all__ = ["Partition", "partitions", "site_partition", "write_partitioned"]
