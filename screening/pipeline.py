"""One call from upload files to the follow-up list: load -> features -> engine -> model ->
priority."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from indicators import TIER_ORDER
from screening.errors import NotFoundError
from screening.ingest.loaders import LoadResult, UploadSource, load_upload
from screening.priority import escalate, follow_up_capacity, follow_up_list
from screening.rules.engine import EngineResult, Progress, RuleEngine, rule_engine

if TYPE_CHECKING:  # a model is imported only by whoever loads one (scikit-learn is heavy)
    from screening.model.classifier import TrainedModel

#: Defaults of the follow-up selection: capacity as a share of the visits, and the share of
#: that capacity drawn at random (exploration slots).
CAPACITY, EXPLORATION = 0.05, 0.05


@dataclass
class Screening:
    """The result of screening a batch: the follow-up list and everything behind it."""

    follow_up: pd.DataFrame
    result: EngineResult
    visits: pd.DataFrame
    interviews: pd.DataFrame
    rejected: pd.DataFrame
    risk_score: np.ndarray | None = None
    escalated: np.ndarray | None = None
    model: TrainedModel | None = field(default=None, repr=False)

    def visit_row(self, visit_id: str) -> int:
        """Position of a visit in :attr:`visits` (KeyError with a clear message if absent)."""
        hits = (self.visits["visit_id"] == visit_id).to_numpy().nonzero()[0]
        if len(hits) == 0:
            raise NotFoundError(f"Visit '{visit_id}' is not among the screened visits.")
        return int(hits[0])


def _with_note(reasons: pa.DictionaryArray, raised: np.ndarray, risk: np.ndarray,
               note: str) -> pa.DictionaryArray:
    """The reasons (every visit has one, "" when none), led by the escalation note for the
    visits the model raised a tier. Only their texts are written: they are added to the
    dictionary (a few thousand among a million visits), the other visits keep theirs.

    >>> coded = pa.array(["a.", "", "a."]).dictionary_encode()
    >>> _with_note(coded, np.array([False, True, True]), np.array([0.1, 0.9, 0.8]),
    ...            "Raised.").to_pylist()
    ['a.', 'Raised. (risk score 0.90)', 'Raised. (risk score 0.80) a.']
    """
    rows = np.flatnonzero(raised)
    if len(rows) == 0:
        return reasons
    codes = reasons.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dictionary = reasons.dictionary.cast(pa.large_string())
    own = dictionary.take(pa.array(codes[rows])).to_pylist()
    texts = [f"{note} (risk score {r:.2f}) {text}".strip()
             for r, text in zip(risk[rows], own, strict=True)]
    fresh, unique = pd.factorize(np.asarray(texts, dtype=object))
    codes[rows] = len(dictionary) + fresh
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)),
        pa.concat_arrays([dictionary, pa.array(list(unique), type=pa.large_string())]))


@dataclass
class Scored:
    """A batch screened but not yet ranked: the engine's result, and the tier, reasons and
    risk score after the model (``risk_score`` and ``escalated`` are None without one)."""

    result: EngineResult
    tier: pd.Categorical
    reasons: pa.Array
    risk_score: np.ndarray | None = None
    escalated: np.ndarray | None = None


def score_frames(visits: pd.DataFrame, interviews: pd.DataFrame | None = None, *,
                 engine: RuleEngine | None = None, model: TrainedModel | None = None,
                 progress: Progress | None = None) -> Scored:
    """Everything of :func:`screen_frames` that looks at one visit (and its site's other
    visits) at a time: the rules, the model's risk score and its escalation. The ranking, the
    capacity and the exploration draw look at the whole batch and come after
    (:func:`screen_frames`, or :mod:`screening.scale` over partitions).

    >>> from screening.datasets.synthetic import generate
    >>> data = generate(50, seed=1)
    >>> scored = score_frames(data.visits, data.interviews)
    >>> len(scored.tier), scored.risk_score is None
    (50, True)
    """
    engine = engine or rule_engine()
    interviews = interviews if interviews is not None else pd.DataFrame()
    result = engine.run(visits, interviews, progress=progress)
    tier, reasons, risk, raised = result.tier, result.coded_reasons, None, None
    if model is not None:
        if progress:
            progress("model")
        from screening.model.features import feature_frame

        risk = model.risk_score(feature_frame(visits, result, engine.catalogue))
        codes, raised = escalate(np.asarray(result.tier.codes), risk, model.escalation_threshold)
        tier = pd.Categorical.from_codes(codes, categories=list(TIER_ORDER))
        if raised.any():
            note = getattr(engine.catalogue.settings.escalation_note, engine.lang)
            reasons = _with_note(reasons, raised, risk, note)
    return Scored(result, tier, reasons, risk, raised)


def ranked_list(visits: pd.DataFrame, scored: Scored, *, capacity: int,
                exploration: float = 0.0, seed: int | None = 0) -> pd.DataFrame:
    """The follow-up list of scored visits, with ``capacity`` follow-ups (a number of visits:
    :func:`screening.priority.follow_up_capacity` turns a share into one)."""
    result = scored.result
    return follow_up_list(
        visits,
        tier=scored.tier,
        rule_score=result.rule_score,
        icls_workers=result.icls_workers,
        icls_unknown_workers=result.icls_unknown_workers,
        indicators=result.coded_indicators,
        reasons=scored.reasons,
        risk_score=scored.risk_score,
        capacity=capacity,
        exploration_share=exploration,
        seed=seed,
    )


def screen_frames(visits: pd.DataFrame, interviews: pd.DataFrame | None = None, *,
                  engine: RuleEngine | None = None, model: TrainedModel | None = None,
                  progress: Progress | None = None, rejected: pd.DataFrame | None = None,
                  capacity: float = CAPACITY, exploration: float = EXPLORATION,
                  seed: int | None = 0) -> Screening:
    """Screen validated visit and interview frames (as the loaders return them).

    With a ``model``, each visit gets a calibrated ``risk_score`` and the model may raise a
    visit by one tier (never to urgent, never down), which its reasons then say. ``capacity``
    (a share of the visits that are not urgent: urgent visits go to the referral queue) are
    marked for follow-up, ``exploration`` of them at random.

    Examples
    --------
    >>> from screening.datasets.synthetic import generate
    >>> data = generate(200, seed=1)
    >>> s = screen_frames(data.visits, data.interviews)
    >>> list(s.follow_up["rank"][:3]), int(s.follow_up["selected"].sum())
    ([1, 2, 3], 10)
    """
    interviews = interviews if interviews is not None else pd.DataFrame()
    scored = score_frames(visits, interviews, engine=engine, model=model, progress=progress)
    if progress:
        progress("ranking")
    ranked = ranked_list(visits, scored, capacity=follow_up_capacity(scored.tier, capacity),
                         exploration=exploration, seed=seed)
    return Screening(ranked, scored.result, visits, interviews,
                     rejected if rejected is not None else pd.DataFrame(), scored.risk_score,
                     scored.escalated, model)


def screen_files(visits_path: UploadSource, interviews_path: UploadSource | None = None, *,
                 progress: Progress | None = None, **options: object
                 ) -> tuple[Screening, LoadResult]:
    """Load an upload (validating in bulk) and screen its valid rows (options as
    :func:`screen_frames`).

    Raises :class:`screening.errors.LoaderError` for an unusable file; rejected rows are in
    the returned load result and never stop the good rows.
    """
    if progress:
        progress("loading")
    loaded = load_upload(visits_path, interviews_path)
    screening = screen_frames(loaded.visits, loaded.interviews, progress=progress,
                              rejected=loaded.rejected, **options)  # type: ignore[arg-type]
    return screening, loaded


__all__ = ["CAPACITY", "EXPLORATION", "Scored", "Screening", "ranked_list", "score_frames",
           "screen_files", "screen_frames"]
