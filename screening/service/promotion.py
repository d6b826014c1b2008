"""Gated retraining: compare a candidate model with the active one, and promote it only when it
is not worse.

Both models are scored on the same decided visits, the most recent ones that neither has seen:
visits dated after the end of both models' training periods (from their cards). The candidate
is refused when its recall at capacity (the combined follow-up list) is lower or its calibration
(Brier score) worse than the active model's, unless an admin forces it with a written reason,
which is kept in the candidate's card. Promotion is the one way to make a model active (the
CLI, the model page and the API all come here); every promotion is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from screening.errors import ModelError, ScreeningError
from screening.service.context import Services
from screening.store import audit, outcomes_frame, transaction
from screening.store.frames import stored_frames
from screening.store.tables import User

COMBINED = "combined follow-up list"
TOLERANCE = 1e-9


class PromotionRefused(ScreeningError):  # noqa: N818 - a refusal, named as the page says it
    """The candidate is worse than the active model (and promotion was not forced)."""

    kind = "conflict"

    def __init__(self, message: str, comparison: Comparison | None = None) -> None:
        super().__init__(message)
        self.comparison = comparison


@dataclass
class Comparison:
    """Candidate and active model on the same recent decided visits.

    Attributes
    ----------
    candidate, active : str
    visits, positives : int
        Decided visits compared on, and how many were forced labour.
    since : str
        They are dated after this day (the later end of both training periods).
    capacity : float
    rows : list of dict
        One per model: ``model``, ``recall@k``, ``precision@k``, ``brier``, ``pr_auc``.
    worse : list of str
        What the candidate is worse on (``recall at capacity``, ``calibration``); empty when
        it is not worse.
    """

    candidate: str
    active: str
    visits: int
    positives: int
    since: str
    capacity: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return json.loads(json.dumps(self.__dict__, default=str))


def _end_of_training(card: dict) -> str:
    period = (card.get("training_data") or {}).get("train_period") or []
    return str(period[-1]) if period else "0001-01-01"


def compare(services: Services, candidate: str, *, capacity: float = 0.05) -> Comparison:
    """Score the candidate and the active model on the recent decided visits neither has seen.

    Raises
    ------
    ModelError
        The candidate (or the active model) cannot be loaded, there is no active model to
        compare with, or no decided visit is newer than both training periods.
    """
    from screening.model.features import feature_frame
    from screening.model.training import evaluate, labels
    from screening.model.versions import load

    active = services.models.chosen()
    if not active:
        raise ModelError("No model is active (the rules alone screen uploads): there is nothing "
                         "to compare the candidate with.")
    base = services.settings.models_dir
    catalogue = services.catalogue
    models = {name: load(name, catalogue, base=base) for name in (candidate, active)}
    since = max(_end_of_training(m.info) for m in models.values())
    visits, interviews = stored_frames(services.engine)
    outcomes = outcomes_frame(services.engine)
    labelled, y = labels(visits, outcomes)
    recent = labelled & (pd.to_datetime(visits["visit_date"]) > pd.Timestamp(since)).to_numpy()
    rows = np.flatnonzero(recent)
    if len(rows) == 0:
        raise ModelError(f"No decided visit is dated after {since}, the end of the models' "
                         "training data: decide more follow-ups before comparing.")
    rules = services.rules("en")
    result = rules.run(visits, interviews)
    frame = feature_frame(visits, result, catalogue, outcomes).iloc[rows]
    comparison = Comparison(candidate=candidate, active=active, visits=len(rows),
                            positives=int(y[rows].sum()), since=since, capacity=capacity)
    metrics = {}
    for name, model in models.items():
        report = evaluate(model, visits.iloc[rows], result, frame, y[rows], capacity=capacity,
                          positions=rows)
        combined = report.at_capacity.set_index("ordering").loc[COMBINED]
        metrics[name] = {"model": name, "recall@k": float(combined["recall@k"]),
                         "precision@k": float(combined["precision@k"]),
                         "brier": float(report.probability["brier"]),
                         "pr_auc": float(report.probability["pr_auc"])}
    comparison.rows = [metrics[candidate], metrics[active]]
    new, old = metrics[candidate], metrics[active]
    if new["recall@k"] < old["recall@k"] - TOLERANCE:
        comparison.worse.append("recall at capacity")
    if new["brier"] > old["brier"] + TOLERANCE:
        comparison.worse.append("calibration")
    return comparison


def promote(services: Services, candidate: str, user: User | int | None, *,
            force: bool = False, reason: str | None = None, capacity: float = 0.05
            ) -> Comparison | None:
    """Make ``candidate`` the active model if it is not worse than the active one.

    With no active model, or to switch to the rules alone (``candidate=""``), there is nothing
    to compare and the switch is made. A forced promotion needs a written ``reason``; it is kept
    in the candidate's card (``promotion``) with the comparison.

    Returns
    -------
    Comparison or None
        The comparison the decision rested on (None when there was none).

    Raises
    ------
    PromotionRefused
        The candidate is worse and ``force`` is not set, or ``force`` without a reason.
    ModelError
        The candidate is not a model version, or cannot be compared.
    """
    if force and not (reason or "").strip():
        raise PromotionRefused("A forced promotion needs a written reason; none was given.")
    comparison = None
    if candidate and services.models.chosen() and candidate != services.models.chosen():
        comparison = compare(services, candidate, capacity=capacity)
        if comparison.worse and not force:
            raise PromotionRefused(
                f"The candidate '{candidate}' is worse than the active model "
                f"'{comparison.active}' on {' and '.join(comparison.worse)} on the "
                f"{comparison.visits} decided visits dated after {comparison.since}; it stays "
                "inactive (an admin may force it with a written reason).", comparison)
    if candidate and force:
        _note_in_card(services, candidate, user, reason or "", comparison)
    services.models.choose(candidate, user)
    with transaction(services.engine) as session:
        audit(session, user, "model.promote", "model", candidate or None, forced=force,
              reason=reason, comparison=comparison.as_dict() if comparison else None)
    return comparison


def _note_in_card(services: Services, candidate: str, user: User | int | None, reason: str,
                  comparison: Comparison | None) -> None:
    from screening.model.versions import CARD_FILE, read_card, resolve

    folder = resolve(candidate, services.settings.models_dir)
    card = read_card(folder)
    card["promotion"] = {
        "forced": True, "reason": reason.strip(),
        "by": user.name if isinstance(user, User) else user,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "comparison": comparison.as_dict() if comparison else None,
    }
    (folder / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")


__all__ = ["Comparison", "PromotionRefused", "compare", "promote"]
