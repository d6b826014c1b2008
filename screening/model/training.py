"""Train and evaluate: labels from outcomes, a temporal holdout, the escalation threshold.

The latest ``test_share`` of the labelled visits (by visit date) is held out; the model is
trained on the earlier ones (its own latest part calibrates it and chooses the escalation
threshold) and every metric on its card comes from the held-out later visits. The model that
is saved is the one that was evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss

from indicators import TIER_ORDER
from screening.errors import NotReadyError, TrainingError
from screening.model.classifier import POSITIVE, TrainedModel, feature_frame, fingerprint, fit
from screening.model.evaluation import (
    at_capacity,
    calibration_table,
    capacity_k,
    ordering_score,
    probability_metrics,
    recall_by_group,
)
from screening.model.monitoring import reference_bins
from screening.priority import URGENT_RANK, escalate, order, select
from screening.rules.engine import EngineResult, RuleEngine


@dataclass
class Report:
    """What an evaluation found on the held-out visits (all tables are plain DataFrames)."""

    at_capacity: pd.DataFrame
    probability: dict
    calibration: pd.DataFrame
    by_sector: pd.DataFrame
    by_region: pd.DataFrame
    exploration: dict
    curves: dict
    facts: dict
    reference: dict = field(default_factory=dict)
    """Per model feature, its bins and shares on the training visits (for drift)."""
    referral: dict = field(default_factory=dict)
    recall_grid: pd.DataFrame = field(default_factory=pd.DataFrame)


def labels(visits: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(labelled, forced labour) per visit: visits without an outcome are unlabelled."""
    last = outcomes.drop_duplicates("visit_id", keep="last")
    by_visit = pd.Series(last["outcome"].to_numpy(dtype=object),
                         index=last["visit_id"].to_numpy(dtype=object))
    outcome = visits["visit_id"].astype(object).map(by_visit)
    labelled = outcome.notna().to_numpy()
    return labelled, (outcome == POSITIVE).to_numpy()


MIN_PER_CLASS = 20
"""Decided outcomes of each class (forced labour, and the others) that training needs at least:
the booster, its calibration and the held-out evaluation each need both classes."""


def readiness(visits: pd.DataFrame, outcomes: pd.DataFrame) -> dict[str, int]:
    """How many decided outcomes of each class the visits have (``forced_labour``, ``other``).

    >>> v = pd.DataFrame({"visit_id": ["V1", "V2", "V3"]})
    >>> o = pd.DataFrame({"visit_id": ["V1", "V2", "V9"],
    ...                   "outcome": ["forced_labour", "no_violation", "forced_labour"]})
    >>> readiness(v, o)
    {'forced_labour': 1, 'other': 1}
    """
    labelled, y = labels(visits, outcomes)
    return {"forced_labour": int(y[labelled].sum()), "other": int((~y[labelled]).sum())}


def check_ready(visits: pd.DataFrame, outcomes: pd.DataFrame,
                needed: int = MIN_PER_CLASS) -> dict[str, int]:
    """The counts of :func:`readiness`, or :class:`~screening.errors.NotReadyError` when a class
    has fewer than ``needed`` decided outcomes."""
    counts = readiness(visits, outcomes)
    if min(counts.values()) < needed:
        raise NotReadyError(counts, needed)
    return counts


def _escalation_threshold(risk: np.ndarray, y: np.ndarray, tier_codes: np.ndarray) -> float:
    """Choose, on validation data, the risk score from which the model escalates a visit.

    It is the lowest score at which low and medium visits scoring at least that much are
    forced labour at least as often as the rules' ``high`` visits are (and at least five times
    the prevalence), with five or more such visits; 1.01 (never) when no score qualifies.

    >>> risk = np.array([.9, .8, .7, .6, .5] + [.1] * 45)
    >>> y = np.array([1, 1, 1, 0, 0] + [0] * 45)
    >>> tiers = np.array([0] * 5 + [2] + [0] * 44)
    >>> _escalation_threshold(risk, y, tiers)  # 3 of the 5 scoring >= .5; prevalence 6%
    0.5
    """
    high = tier_codes == 2
    target = max(y[high].mean() if high.any() else 0.0, 5 * y.mean())
    below = tier_codes < 2
    risk, y = risk[below], y[below].astype("float64")
    scores = np.unique(risk)[::-1]  # candidate thresholds, highest first
    counts = len(risk) - np.searchsorted(np.sort(risk), scores, side="left")
    ok = (counts >= 5) & (_hits_at(risk, y, scores) >= target * counts)
    return float(scores[ok].min()) if ok.any() else 1.01


def _hits_at(risk: np.ndarray, y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Positives scoring at or above each of ``scores`` (descending), in one pass."""
    order_ = np.argsort(-risk, kind="stable")
    cumulative = np.cumsum(y[order_])
    counts = np.searchsorted(-risk[order_], -scores, side="right")
    return np.where(counts > 0, cumulative[np.maximum(counts - 1, 0)], 0.0)


def train(visits: pd.DataFrame, interviews: pd.DataFrame, outcomes: pd.DataFrame, *,
          engine: RuleEngine | None = None, test_share: float = 0.2, capacity: float = 0.05,
          exploration_share: float = 0.05, ipw: bool = False, seed: int = 0
          ) -> tuple[TrainedModel, Report]:
    """Train on the earlier labelled visits and evaluate on the later ones.

    ``ipw`` weights each outcome by the inverse of its visit's ``selection_probability``
    (a column of ``outcomes``), correcting for follow-ups that went where the list pointed.
    """
    check_ready(visits, outcomes)
    engine = engine or RuleEngine()
    result = engine.run(visits, interviews)
    frame = feature_frame(visits, result, engine.catalogue, outcomes)
    labelled, y = labels(visits, outcomes)
    rows = np.flatnonzero(labelled)
    dates = pd.to_datetime(visits["visit_date"]).to_numpy()
    rows = rows[np.argsort(dates[rows], kind="stable")]
    cut = int(round(len(rows) * (1 - test_share)))
    train_rows, test_rows = rows[:cut], rows[cut:]
    weights = None
    if ipw:
        if "selection_probability" not in outcomes:
            raise TrainingError("--ipw needs a 'selection_probability' column in the outcomes.")
        last = outcomes.drop_duplicates("visit_id", keep="last")
        by_visit = pd.Series(last["selection_probability"].to_numpy(dtype="float64"),
                             index=last["visit_id"].to_numpy(dtype=object))
        p = visits["visit_id"].astype(object).map(by_visit)
        weights = 1.0 / np.clip(p.to_numpy(dtype="float64")[train_rows], 1e-3, 1.0)
    calibrated, raw, facts = fit(frame.iloc[train_rows], y[train_rows],
                                 visits["visit_date"].iloc[train_rows], sample_weight=weights,
                                 random_state=seed)
    cal = train_rows[facts.pop("calibration_rows")]
    tier_codes = np.asarray(result.tier.codes)
    threshold = _escalation_threshold(calibrated.predict_proba(frame.iloc[cal])[:, 1], y[cal],
                                      tier_codes[cal])
    model = TrainedModel(calibrated, list(frame.columns), threshold, {})
    report = evaluate(model, visits.iloc[test_rows], result, frame.iloc[test_rows],
                      y[test_rows], capacity=capacity, exploration_share=exploration_share,
                      seed=seed, positions=test_rows)
    report.probability["brier_uncalibrated"] = float(
        brier_score_loss(y[test_rows], raw.predict_proba(frame.iloc[test_rows])[:, 1]))
    report.facts.update({
        **facts, "calibration_rows": len(cal), "labelled_visits": int(labelled.sum()),
        "train_visits": len(train_rows), "test_visits": len(test_rows),
        "train_positives": int(y[train_rows].sum()), "test_positives": int(y[test_rows].sum()),
        "train_prevalence": float(y[train_rows].mean()) if len(train_rows) else float("nan"),
        "train_period": _period(dates[train_rows]), "test_period": _period(dates[test_rows]),
        "data_fingerprint": fingerprint(pd.concat(
            [frame.iloc[train_rows].reset_index(drop=True),
             pd.Series(y[train_rows].astype(int), name="label")], axis=1)),
        "ipw": ipw, "escalation_threshold": threshold,
        "features_unknown_in_training": list(raw.named_steps["select"].unknown_),
    })  # fmt: skip
    trained_on = frame.iloc[train_rows]
    report.reference = {name: reference_bins(trained_on[name]) for name in model.features}
    return model, report


def _period(dates: np.ndarray) -> list[str]:
    if len(dates) == 0:
        return []
    return [str(pd.Timestamp(dates.min()).date()), str(pd.Timestamp(dates.max()).date())]


CAPACITIES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
"""The capacities at which every evaluation reports recall for the three orderings."""
ORDERINGS: tuple[str, ...] = ("rules only (tier, rule score)", "model only (risk score)",
                              "combined follow-up list")


def referral_queue(y: np.ndarray, tier_codes: np.ndarray) -> dict:
    """The urgent visits, handled through referral cases apart from follow-up capacity: how
    many, how many are forced labour, and the share of all forced-labour visits they hold.

    >>> referral_queue(np.array([1, 0, 1, 0]), np.array([3, 3, 0, 1]))
    {'visits': 2, 'forced_labour': 1, 'precision': 0.5, 'share_of_forced_labour': 0.5}
    """
    urgent = np.asarray(tier_codes) == URGENT_RANK
    y = np.asarray(y, dtype="float64")
    return {"visits": int(urgent.sum()), "forced_labour": int(y[urgent].sum()),
            "precision": float(y[urgent].mean()) if urgent.any() else float("nan"),
            "share_of_forced_labour": float(y[urgent].sum() / y.sum()) if y.any()
            else float("nan")}


def recall_grid(y: np.ndarray, orderings: dict[str, np.ndarray],
                capacities: tuple[float, ...] = CAPACITIES) -> pd.DataFrame:
    """recall@k of each ordering at each capacity (visits that compete for capacity only),
    with whether the combined list is at least as good as the better single ordering.

    >>> y = np.array([1, 0, 0, 1] * 50)
    >>> grid = recall_grid(y, {"a": y * 1.0, "b": -y * 1.0, "combined follow-up list": y * 1.0},
    ...                    (0.01, 0.5))
    >>> grid[["k", "a", "b", "combined follow-up list", "combined >= best"]].values.tolist()
    [[2, 0.02, 0.0, 0.02, True], [100, 1.0, 0.0, 1.0, True]]
    """
    rows = []
    for capacity in capacities:
        table = at_capacity(y, orderings, capacity).set_index("ordering")
        row = {"capacity": capacity, "k": int(table["k"].iloc[0]),
               **{name: float(table.loc[name, "recall@k"]) for name in orderings}}
        singles = [row[name] for name in orderings if name != "combined follow-up list"]
        row["combined >= best"] = bool(row["combined follow-up list"] >= max(singles) - 1e-12)
        rows.append(row)
    return pd.DataFrame(rows)


def evaluate(model: TrainedModel, visits: pd.DataFrame, result: EngineResult,
             frame: pd.DataFrame, y: np.ndarray, *, capacity: float = 0.05,
             exploration_share: float = 0.05, seed: int = 0,
             positions: np.ndarray | None = None) -> Report:
    """Evaluate a model on labelled visits: the referral queue apart, then the four orderings
    of the other visits side by side at capacity ``k`` and recall at 1, 2, 5 and 10 %,
    probability metrics, calibration, recall@k by sector and region, and exploration.

    Urgent visits go to the referral queue (every one is referred) and use no follow-up
    capacity, so the orderings compete for the visits that are not urgent, and ``k`` is
    ``capacity`` of those. ``recall with referrals`` adds the forced-labour visits of the
    referral queue to those the ordering catches, out of all forced-labour visits.

    ``result`` is the engine's output for a batch that contains the visits at ``positions``
    (all of them when None); ``frame`` and ``y`` are aligned with ``visits``.
    """
    at = np.arange(len(visits)) if positions is None else positions
    risk_all = model.risk_score(frame)
    tier_all = np.asarray(result.tier.codes)[at]
    y_all = np.asarray(y)
    referral = referral_queue(y_all, tier_all)
    rest = tier_all != URGENT_RANK
    y, risk, tier = y_all[rest], risk_all[rest], tier_all[rest]
    rule_score = np.asarray(result.rule_score)[at][rest]
    final_tier, escalated = escalate(tier, risk, model.escalation_threshold)
    # the combined list as priority.order ranks the visits that are not urgent: risk score,
    # then tier (after escalation); every visit here has a risk score
    orderings = dict(zip(ORDERINGS, (
        ordering_score(tier, rule_score), risk, ordering_score(risk, final_tier)), strict=True))
    table = at_capacity(y, orderings, capacity)
    total = y_all.sum()
    table["recall with referrals"] = ((referral["forced_labour"] + table["recall@k"]
                                       * y.sum()) / total) if total else np.nan
    combined = orderings["combined follow-up list"]
    k = capacity_k(len(y), capacity)
    idx = order(pd.Categorical.from_codes(final_tier, list(TIER_ORDER)),
                risk, rule_score)
    selected, explore, _ = select(idx, k, exploration_share, np.random.default_rng(seed))
    unflagged = ~selected | explore
    exploration = {
        "slots": int(explore.sum()),
        "hits": int(y[explore].sum()),
        "hit_rate": float(y[explore].mean()) if explore.any() else float("nan"),
        "true_rate_below_the_top": float(y[unflagged & ~explore].mean())
        if (unflagged & ~explore).any() else float("nan"),
    }
    grid = np.linspace(0.01, 0.30, 30)
    curves = {
        "capacity": grid.tolist(),
        **{name: [float(at_capacity(y, {name: s}, c).iloc[1]["recall@k"]) for c in grid]
           for name, s in orderings.items()},
        "y": y.astype(int).tolist() if len(y) <= 200_000 else [],
        "risk": risk.tolist() if len(y) <= 200_000 else [],
    }
    kept = visits.iloc[np.flatnonzero(rest)]
    return Report(
        at_capacity=table,
        probability=probability_metrics(y_all, risk_all),
        calibration=calibration_table(y_all, risk_all),
        by_sector=recall_by_group(y, combined, kept["sector"], capacity),
        by_region=recall_by_group(y, combined, kept["region"], capacity),
        exploration=exploration,
        curves=curves,
        facts={"capacity": capacity, "k": k, "escalated": int(escalated.sum()),
               "test_visits": len(y_all), "test_positives": int(y_all.sum()),
               "follow_up_visits": len(y), "follow_up_positives": int(y.sum())},
        referral=referral,
        recall_grid=recall_grid(y, orderings),
    )


__all__ = ["CAPACITIES", "MIN_PER_CLASS", "ORDERINGS", "Report", "check_ready", "evaluate",
           "labels", "readiness", "recall_grid", "referral_queue", "train"]
