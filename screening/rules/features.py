"""Feature frames: the site-level frame from visits and the worker frame from interviews.

The *site features* are what site-level indicator rules may name: the visit's own columns
(booleans as 1/0 with NaN unknown), a few derived shares, and per-visit aggregates of the
worker-level indicators (``interviews``, ``icls_workers``, ``icls_unknown_workers``,
``icls_tested``, and each worker indicator's ``count_as`` column with its ``_asked`` and
``_share``). Unknown stays unknown: a count is over the workers who were asked (whose answer
is known), NaN when nobody was; a share is the count over those asked. The *worker features*
are what worker-level rules may name: the interview's own answers and the visit's sector.
Worker-level sex and nationality are never features (``sex`` is not in the vocabulary;
``foreign`` is used only by rules about permits, never by a model).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, Kind
from screening.ingest.text import arrow_text
from screening.rules.columns import float_values

_TYPE_OF_KIND = {
    Kind.INT: "number",
    Kind.NUMBER: "number",
    Kind.BOOL: "bool",
    Kind.TEXT: "text",
    Kind.CHOICE: "text",
}

#: Visit columns that are identifiers or free text, not features.
_NOT_FEATURES = {
    "visit_id",
    "site_id",
    "visit_date",
    "inspector_id",
    "employer_id",
    "notes",
    "intermediary_id",
    "worker_ref",
    "sex",
}

#: Derived site-level features: name -> (type, meaning).
DERIVED_SITE_FEATURES: dict[str, tuple[str, str]] = {
    "intermediary_present": (
        "bool",
        "an intermediary_id is given (true); unknown when it is empty or the column is absent",
    ),
    "share_without_contract": ("number", "workers_without_contract / workers_present"),
    "share_foreign": ("number", "foreign_workers / workers_present"),
    "share_foreign_without_permit": ("number", "foreign_workers_without_permit / foreign_workers"),
    "share_minors": ("number", "minors_present / workers_present"),
    "interviews": ("number", "number of interviewed workers at the visit"),
    "icls_workers": (
        "number",
        "interviewed workers meeting the ICLS 2018 test (unknown when no worker could be tested)",
    ),
    "icls_tested": (
        "number",
        "interviewed workers whose ICLS result is known, positive or negative (unknown without "
        "interviews)",
    ),
    "icls_unknown_workers": (
        "number",
        "interviewed workers whose ICLS result is unknown: items never asked (unknown without "
        "interviews)",
    ),
}


def _vocabulary(columns: Iterable, extra: dict[str, str]) -> dict[str, str]:
    types = {c.name: _TYPE_OF_KIND[c.kind] for c in columns if c.name not in _NOT_FEATURES}
    types.update(extra)
    return types


def site_feature_types(worker_counts: Iterable[str] = ()) -> dict[str, str]:
    """Column name -> type ("number", "bool", "text") of every site-level feature.

    Parameters
    ----------
    worker_counts : iterable of str
        The ``count_as`` names of the catalogue's worker-level indicators; each adds a count
        column and a ``<name>_share`` column.

    Examples
    --------
    >>> types = site_feature_types(["workers_deceived"])
    >>> types["sector"], types["violence_observed"], types["workers_deceived_share"]
    ('text', 'bool', 'number')
    >>> "sex" in types or "visit_id" in types
    False
    """
    extra = {name: kind for name, (kind, _) in DERIVED_SITE_FEATURES.items()}
    for name in worker_counts:
        extra[name] = "number"
        extra[f"{name}_asked"] = "number"
        extra[f"{name}_share"] = "number"
    return _vocabulary(VISIT_COLUMNS, extra)


def worker_feature_types() -> dict[str, str]:
    """Column name -> type of every worker-level feature (interview answers + the sector).

    >>> types = worker_feature_types()
    >>> types["holds_own_documents"], types["sector"], "sex" in types
    ('bool', 'text', False)
    """
    return _vocabulary(INTERVIEW_COLUMNS, {"sector": "text"})


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return float_values(frame[name])


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def site_features(visits: pd.DataFrame) -> pd.DataFrame:
    """The site-level feature frame (without interview aggregates), aligned to ``visits``.

    Numbers and booleans become float64 with NaN for unknown; text stays text.

    >>> v = pd.DataFrame({"sector": ["agriculture"], "workers_present": [10],
    ...                   "workers_without_contract": [4], "intermediary_id": [None]})
    >>> f = site_features(v)
    >>> float(f.loc[0, "share_without_contract"]), float(f.loc[0, "intermediary_present"])
    (0.4, nan)
    """
    types = site_feature_types()
    out: dict[str, object] = {}
    for name, kind in types.items():
        if name in DERIVED_SITE_FEATURES:
            continue
        if kind == "text":
            out[name] = visits[name] if name in visits else pd.Series(np.nan, index=visits.index)
        else:
            out[name] = _numeric(visits, name)
    present = _numeric(visits, "workers_present")
    foreign = _numeric(visits, "foreign_workers")
    if "intermediary_id" in visits:
        # an empty intermediary_id is unknown (maybe none, maybe not recorded), never "none"
        given = visits["intermediary_id"].notna().to_numpy()
        out["intermediary_present"] = np.where(given, 1.0, np.nan)
    else:
        out["intermediary_present"] = np.full(len(visits), np.nan)
    out["share_without_contract"] = _ratio(_numeric(visits, "workers_without_contract"), present)
    out["share_foreign"] = _ratio(foreign, present)
    out["share_foreign_without_permit"] = _ratio(
        _numeric(visits, "foreign_workers_without_permit"), foreign
    )
    out["share_minors"] = _ratio(_numeric(visits, "minors_present"), present)
    return pd.DataFrame(out, index=visits.index, copy=False)


def worker_answers(interviews: pd.DataFrame) -> pd.DataFrame:
    """The worker-level answers the rules may read, as the interviews hold them (no copy):
    the rules' column cache prepares each as a rule first asks for it, a true/false answer
    straight from its booleans. An answer the upload lacks is all unknown there.

    The visit's ``sector`` is not included: the engine adds it from the visits, encoded once.

    >>> frame = pd.DataFrame({"visit_id": ["V1"], "sex": ["f"], "threatened": [True]})
    >>> list(worker_answers(frame).columns)
    ['threatened']
    """
    return interviews[[name for name, kind in worker_feature_types().items()
                       if kind != "text" and name in interviews]]


def visit_positions(visits: pd.DataFrame, interviews: pd.DataFrame) -> np.ndarray:
    """For each interview, the row position of its visit in ``visits`` (-1 when absent).
    Visit ids are unique in validated visits (the loaders reject a repeated one); looked up
    in Arrow's hash table (twice as fast as a pandas index over a million ids).

    >>> visit_positions(pd.DataFrame({"visit_id": ["V1", "V2"]}),
    ...                 pd.DataFrame({"visit_id": ["V2", "V9", "V2"]})).tolist()
    [1, -1, 1]
    """
    if len(interviews) == 0:
        return np.zeros(0, dtype=np.int64)
    ids = arrow_text(visits["visit_id"]).combine_chunks()
    found = pc.index_in(arrow_text(interviews["visit_id"]), value_set=ids)
    return np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)


def UNKNOWN_COLUMN(n: int) -> np.ndarray:  # noqa: N802 - reads as a constant
    """A read-only all-unknown column of length ``n`` that takes no memory (zero strides)."""
    return np.broadcast_to(np.float64(np.nan), (n,))


def count_per_visit(flags: np.ndarray, positions: np.ndarray, n_visits: int,
                    known: np.ndarray | None = None) -> np.ndarray:
    """Count the true ``flags`` per visit over the workers whose answer is ``known`` (all by
    default); a visit where nobody's answer is known gets NaN (unknown), never 0.

    >>> count_per_visit(np.array([True, False, True]), np.array([0, 0, 2]), 4).tolist()
    [1.0, nan, 1.0, nan]
    >>> count_per_visit(np.array([False, False]), np.array([0, 1]), 2,
    ...                 known=np.array([True, False])).tolist()
    [0.0, nan]
    """
    if len(positions) == 0:
        return UNKNOWN_COLUMN(n_visits)
    asked = _tally(positions, known, n_visits)
    counts = _tally(positions, flags, n_visits)
    return np.where(asked > 0, counts, np.nan)


def answer_counts(values: np.ndarray, positions: np.ndarray, interviewed: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per visit, for one worker-level answer coded 1 true, 0 false, -1 unknown: how many
    workers answered true (as :func:`count_per_visit` over the known answers: NaN where
    nobody's is known) and how many were asked (as :func:`asked_per_visit`: NaN without
    interviews; a batch without any interview gets all unknown columns that take no
    memory). ``interviewed`` counts each visit's interviews. Only the unknown and the true
    answers are tallied, usually the few: the known ones are what remains.

    >>> counts, asked = answer_counts(np.array([1, -1, 0, -1]), np.array([0, 0, 1, 2]),
    ...                               np.array([2, 1, 1, 0]))
    >>> counts.tolist(), asked.tolist()
    ([1.0, 0.0, nan, nan], [1.0, 1.0, 0.0, nan])
    """
    n = len(interviewed)
    if len(positions) == 0:
        return UNKNOWN_COLUMN(n), UNKNOWN_COLUMN(n)
    asked = interviewed - _tally(positions, values < 0, n)
    true = _tally(positions, values == 1, n)
    return np.where(asked > 0, true, np.nan), np.where(interviewed > 0, asked, np.nan)


def _tally(positions: np.ndarray, where: np.ndarray | None, n_visits: int) -> np.ndarray:
    """How many of ``positions`` fall on each visit, counting only ``where`` holds (all when
    None): the chosen positions counted as integers, not every position weighted by a float
    copy of the mask."""
    chosen = positions if where is None else positions[where]
    return np.bincount(chosen, minlength=n_visits)


def asked_per_visit(known: np.ndarray, positions: np.ndarray, n_visits: int) -> np.ndarray:
    """How many workers per visit were asked (their answer is known); NaN without interviews.

    >>> asked_per_visit(np.array([True, False, False]), np.array([0, 0, 1]), 3).tolist()
    [1.0, 0.0, nan]
    """
    if len(positions) == 0:
        return UNKNOWN_COLUMN(n_visits)
    interviewed = _tally(positions, None, n_visits)
    asked = _tally(positions, known, n_visits)
    return np.where(interviewed > 0, asked, np.nan)


__all__ = [
    "DERIVED_SITE_FEATURES",
    "answer_counts",
    "asked_per_visit",
    "count_per_visit",
    "site_feature_types",
    "site_features",
    "visit_positions",
    "worker_feature_types",
    "worker_answers",
]
