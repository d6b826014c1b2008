"""Decisions on top of the rules: escalation by the model, ranking, and exploration slots.

- **Escalation**: the model may raise a visit by one tier (low to medium, medium to high) when
  its risk score reaches the threshold chosen on validation data. It never demotes a visit and
  never makes one urgent: urgent is for the rules alone.
- **Ranking**: urgent visits first; the others by risk score, then tier; without a model, by
  tier, then rule score.
- **Capacity is for follow-ups only**: urgent visits (probable victims) are a legal duty, each
  handled through its referral case; the follow-up capacity and its exploration slots go to
  the other visits (:func:`follow_up_list`, :func:`follow_up_capacity`).
- **Exploration**: labels exist only where someone followed up, and follow-ups go where the
  list points. So a share of the follow-up capacity (default 5%) goes to visits drawn at random
  among the rest; each visit's probability of being selected is recorded, so that training can
  weight outcomes by its inverse and the exploration slots' hit rate estimates how much forced
  labour the list leaves unflagged.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from indicators import TIER_ORDER

#: Columns of the follow-up list, in order (the contract in DESIGN.md).
FOLLOW_UP_COLUMNS: tuple[str, ...] = (
    "rank", "visit_id", "site_id", "region", "sector", "visit_date", "tier", "risk_score",
    "rule_score", "icls_workers", "indicators", "reasons", "exploration",
)  # fmt: skip

#: Columns added after the contract's: the follow-up selection and its probability, and the
#: interviewed workers whose ICLS result is unknown (items never asked).
SELECTION_COLUMNS: tuple[str, ...] = (
    "selected", "selection_probability", "icls_unknown_workers",
)


def capacity_k(n: int, capacity: float) -> int:
    """How many visits a capacity share allows (at least one when there are visits).

    >>> capacity_k(1000, 0.05), capacity_k(10, 0.05), capacity_k(0, 0.05)
    (50, 1, 0)
    """
    return 0 if n == 0 else max(1, int(round(n * capacity)))


URGENT_RANK = len(TIER_ORDER) - 1
"""``tier_rank`` of ``urgent``."""


def follow_up_capacity(tier: object, capacity: float) -> int:
    """How many follow-ups a capacity share allows: a share of the visits that are not urgent
    (urgent visits go to the referral queue and use no capacity).

    >>> follow_up_capacity(["urgent"] * 10 + ["low"] * 90, 0.1)
    9
    """
    return capacity_k(int((tier_rank(tier) != URGENT_RANK).sum()), capacity)


def tier_rank(tier: object) -> np.ndarray:
    """0 for low up to 3 for urgent (-1 for anything else).

    >>> tier_rank(["urgent", "low", "medium"]).tolist()
    [3, 0, 1]
    """
    if isinstance(tier, pd.Categorical) and list(tier.categories) == list(TIER_ORDER):
        return np.asarray(tier.codes)  # already coded: no strings to look at
    return np.asarray(pd.Categorical(tier, categories=TIER_ORDER).codes)


ESCALATION_CAP = 2  # high: escalation stops below urgent


def escalate(tier_codes: np.ndarray, risk_score: np.ndarray, threshold: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """Raise low and medium visits with a risk score at or above ``threshold`` by one tier.

    Returns the new tier codes (0 low .. 3 urgent) and where a visit was escalated.

    >>> escalate(np.array([0, 1, 2, 3, 0]), np.array([0.9, 0.9, 0.9, 0.9, 0.1]), 0.5)[0].tolist()
    [1, 2, 2, 3, 0]
    """
    codes = np.asarray(tier_codes, dtype=np.int8)
    risk = np.asarray(risk_score, dtype="float64")
    raised = (risk >= threshold) & (codes < ESCALATION_CAP)
    return np.where(raised, codes + 1, codes).astype(np.int8), raised


def select(order_idx: np.ndarray, capacity: int, exploration_share: float,
           rng: np.random.Generator, size: int | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose the visits to follow up: the top of the list plus random exploration slots.

    Of ``capacity`` slots, ``round(capacity * exploration_share)`` (at least one when the share
    is positive and there is room) go to visits drawn uniformly at random from those below the
    top ``capacity - m``. Returns, per visit (in input positions): selected, exploration, and the
    probability each visit had of being selected (1 for the top; ``m / rest`` below it).
    ``order_idx`` may list only some positions (the visits that compete for capacity); the
    arrays then have ``size`` entries and the others are not selected.

    >>> sel, exp, p = select(np.arange(10), 4, 0.25, np.random.default_rng(0))
    >>> int(sel.sum()), int(exp.sum()), p[:3].tolist(), round(float(p[5]), 3)
    (4, 1, [1.0, 1.0, 1.0], 0.143)
    """
    n = len(order_idx)
    size = n if size is None else size
    capacity = min(capacity, n)
    m = int(round(capacity * exploration_share))
    if exploration_share > 0 and m == 0 and capacity > 0:
        m = 1
    if capacity >= n:  # everyone is followed up: nothing to explore
        m = 0
    top, rest = order_idx[: capacity - m], order_idx[capacity - m :]
    selected = np.zeros(size, dtype=bool)
    explore = np.zeros(size, dtype=bool)
    probability = np.zeros(size)
    selected[top] = True
    probability[top] = 1.0
    if m and len(rest):
        drawn = rng.choice(rest, size=min(m, len(rest)), replace=False)
        selected[drawn] = explore[drawn] = True
        probability[rest] = min(m, len(rest)) / len(rest)
    return selected, explore, probability


def as_text(codes: np.ndarray, categories: object) -> pd.api.extensions.ExtensionArray:
    """Codes into categories as a pandas ``str`` array, spelled out by pyarrow.

    >>> as_text(np.array([1, 0, 1]), ["low", "high"]).tolist()
    ['high', 'low', 'high']
    """
    names = pa.array(np.asarray(categories, dtype=object), type=pa.large_string())
    spelled = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), names)
    return pd.array(spelled.cast(pa.large_string()), dtype="str")


def order(tier: object, risk_score: np.ndarray, rule_score: np.ndarray) -> np.ndarray:
    """Positions in follow-up order: urgent visits first (the referral queue), then the others
    by risk score, then tier; the rule score orders only the visits without a risk score.

    Without a model every risk score is unknown and the order is the rules': tier, then rule
    score. With one, the other visits follow the calibrated risk score, which already weighs
    the fired indicators and their tier; the tier breaks its ties (the calibration gives many
    visits one score). Tier first, and the rule score as a tie-break, each did worse than the
    model alone on held-out data (see the README, "Capacity is for follow-ups only"). Unknown
    risk scores sort after known ones; remaining ties keep the input order (the sort is
    stable), so the same upload always gives the same list.

    >>> order(["low", "urgent", "low"], np.array([np.nan] * 3), np.array([5.0, 1.0, 7.0]))
    array([1, 2, 0])
    >>> order(["high", "medium", "high", "urgent"], np.array([0.4, 0.9, 0.4, 0.1]),
    ...       np.array([1.0, 9.0, 5.0, 0.0]))
    array([3, 1, 0, 2])
    """
    ranks = tier_rank(tier)
    unknown = np.isnan(risk_score)
    risk = np.where(unknown, -1.0, risk_score)
    rule = np.where(unknown, rule_score, 0.0)
    return np.lexsort((-rule, -ranks, -risk, ~(ranks == URGENT_RANK)))


def ranking(tier: object, risk_score: np.ndarray, rule_score: np.ndarray, capacity: int,
            exploration_share: float, seed: int | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The decisions of the follow-up list without its columns: the positions in follow-up
    order (:func:`order`), and per visit whether it is selected, whether by exploration, and
    its selection probability (:func:`select` over the visits that are not urgent; urgent
    visits have probability 1). ``risk_score`` is NaN where unknown.

    :func:`follow_up_list` and the partitioned path (:mod:`screening.scale`) both decide
    through this function, so a list is the same however its visits were screened.

    >>> idx, sel, exp, p = ranking(["low", "urgent", "high"], np.full(3, np.nan),
    ...                            np.array([1.0, 9.0, 5.0]), 1, 0.0, 0)
    >>> idx.tolist(), sel.tolist(), p.tolist()
    ([1, 2, 0], [False, False, True], [0.0, 1.0, 1.0])
    """
    idx = order(tier, risk_score, rule_score)
    urgent = tier_rank(tier) == URGENT_RANK
    selected, explore, probability = select(idx[~urgent[idx]], capacity, exploration_share,
                                            np.random.default_rng(seed), size=len(idx))
    probability[urgent] = 1.0
    return idx, selected, explore, probability


#: From this many visits the text columns of a list are reordered on two threads, each
#: spelling out half of every column (Arrow's kernels release the GIL); below it a thread
#: costs more than it saves.
PARALLEL_FROM = 100_000


def _reordered(values: object, idx: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values`` (a text series, an array, or dictionary-encoded Arrow text) at the positions
    ``idx``; dictionary-encoded text is spelled out as pandas ``str``."""
    if isinstance(values, pa.DictionaryArray):  # reorder the codes, then spell out
        return pd.array(values.take(pa.array(idx)).cast(pa.large_string()), dtype="str")
    array = values.array if isinstance(values, pd.Series) else pd.array(values)
    return array.take(idx)


def reorder_text(columns: dict[str, object], idx: np.ndarray
                 ) -> dict[str, pd.api.extensions.ExtensionArray]:
    """Each column at the positions ``idx`` (see :func:`_reordered`); a long list's halves
    are built on two threads and joined without a copy.

    >>> reorder_text({"a": pd.Series(["x", "y", "z"], dtype="str")}, np.array([2, 0]))["a"]
    <ArrowStringArray>
    ['z', 'x']
    Length: 2, dtype: str
    """
    if len(idx) < PARALLEL_FROM:
        return {name: _reordered(values, idx) for name, values in columns.items()}
    halves = np.array_split(idx, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = {name: [pool.submit(_reordered, values, half) for half in halves]
                 for name, values in columns.items()}
        done = {name: [f.result() for f in futures] for name, futures in parts.items()}
    return {name: type(arrays[0])._concat_same_type(arrays) for name, arrays in done.items()}


def follow_up_list(visits: pd.DataFrame, *, tier: object, rule_score: np.ndarray,
                   icls_workers: np.ndarray, indicators: object, reasons: object,
                   risk_score: np.ndarray | None = None, capacity: int = 0,
                   exploration_share: float = 0.0, seed: int | None = 0,
                   icls_unknown_workers: np.ndarray | None = None) -> pd.DataFrame:
    """Assemble the ranked follow-up list (:data:`FOLLOW_UP_COLUMNS` + :data:`SELECTION_COLUMNS`).

    ``risk_score`` is empty (NaN) without a trained model. Urgent visits lead the list and
    use no capacity: each is handled through its referral case, so it is not ``selected``
    and its ``selection_probability`` is 1 (it is always acted upon). ``capacity`` of the
    other visits are marked ``selected`` for follow-up: the top of them, plus
    ``exploration_share`` of the capacity drawn at random below it (``exploration``), each
    with its ``selection_probability`` (see :func:`select`; ``seed`` makes the draw
    repeatable). ``icls_unknown_workers`` counts the interviewed workers who could not be
    tested (unknown when not given). Text columns are reordered without converting them
    (pyarrow strings stay pyarrow).
    """
    n = len(visits)
    risk = np.full(n, np.nan) if risk_score is None else np.asarray(risk_score, dtype="float64")
    unknown = (np.full(n, np.nan) if icls_unknown_workers is None
               else np.asarray(icls_unknown_workers, dtype="float64"))
    idx, selected, explore, probability = ranking(tier, risk, rule_score, capacity,
                                                  exploration_share, seed)

    texts = ("visit_id", "site_id", "region", "sector")
    taken = reorder_text({"reasons": reasons, "indicators": indicators,
                          **{name: visits[name] for name in texts}}, idx)
    return pd.DataFrame({
        "rank": np.arange(1, n + 1, dtype=np.int64),
        **{name: taken[name] for name in texts},
        "visit_date": visits["visit_date"].array.take(idx),
        "tier": as_text(tier_rank(tier)[idx], TIER_ORDER),
        "risk_score": risk[idx],
        "rule_score": rule_score[idx],
        "icls_workers": pd.array(icls_workers[idx], dtype="Int64"),
        "indicators": taken["indicators"],
        "reasons": taken["reasons"],
        "exploration": explore[idx],
        "selected": selected[idx],
        "selection_probability": probability[idx],
        "icls_unknown_workers": pd.array(unknown[idx], dtype="Int64"),
    })  # fmt: skip


__all__ = ["FOLLOW_UP_COLUMNS", "SELECTION_COLUMNS", "URGENT_RANK", "as_text", "capacity_k",
           "escalate", "follow_up_capacity", "follow_up_list", "order", "ranking", "select",
           "tier_rank"]
