"""One call from upload files to the follow-up list: load -> features -> engine -> priority."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from screening.engine import EngineResult, Progress, RuleEngine
from screening.loaders import LoadResult, load_upload
from screening.priority import follow_up_list


@dataclass
class Screening:
    """The result of screening a batch: the follow-up list and everything behind it."""

    follow_up: pd.DataFrame
    result: EngineResult
    visits: pd.DataFrame
    interviews: pd.DataFrame
    rejected: pd.DataFrame

    def visit_row(self, visit_id: str) -> int:
        """Position of a visit in :attr:`visits` (KeyError with a clear message if absent)."""
        hits = (self.visits["visit_id"] == visit_id).to_numpy().nonzero()[0]
        if len(hits) == 0:
            raise KeyError(f"Visit '{visit_id}' is not among the screened visits.")
        return int(hits[0])


def screen_frames(
    visits: pd.DataFrame,
    interviews: pd.DataFrame | None = None,
    *,
    engine: RuleEngine | None = None,
    progress: Progress | None = None,
    rejected: pd.DataFrame | None = None,
) -> Screening:
    """Screen validated visit and interview frames (as the loaders return them).

    Examples
    --------
    >>> from screening.synthetic import generate
    >>> data = generate(200, seed=1)
    >>> s = screen_frames(data.visits, data.interviews)
    >>> list(s.follow_up["rank"][:3])
    [1, 2, 3]
    """
    engine = engine or RuleEngine()
    interviews = interviews if interviews is not None else pd.DataFrame()
    result = engine.run(visits, interviews, progress=progress)
    if progress:
        progress("ranking")

    ranked = follow_up_list(
        visits,
        tier=result.tier,
        rule_score=result.rule_score,
        icls_workers=result.icls_workers,
        indicators=result.coded_indicators,
        reasons=result.coded_reasons,
    )
    return Screening(
        ranked, result, visits, interviews, rejected if rejected is not None else pd.DataFrame()
    )


def screen_files(
    visits_path: str | Path,
    interviews_path: str | Path | None = None,
    *,
    engine: RuleEngine | None = None,
    progress: Progress | None = None,
) -> tuple[Screening, LoadResult]:
    """Load an upload (validating in bulk) and screen its valid rows.

    Raises :class:`screening.errors.LoaderError` for an unusable file; rejected rows are in
    the returned load result and never stop the good rows.
    """
    if progress:
        progress("loading")
    loaded = load_upload(visits_path, interviews_path)
    screening = screen_frames(
        loaded.visits, loaded.interviews, engine=engine, progress=progress, rejected=loaded.rejected
    )
    return screening, loaded


__all__ = ["Screening", "screen_files", "screen_frames"]
