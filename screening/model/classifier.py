"""The classifier: features from the engine's output, training with calibration, risk scores.

The rules say which indicators a visit shows; the classifier learns from past follow-up
outcomes which combinations of (often weak) signals end in confirmed forced labour.

Choices, and why:

- **HistGradientBoostingClassifier**: handles unknown values (NaN) natively, so an unknown
  answer is never read as "no"; captures interactions between weak signals; fast on millions
  of rows. Class imbalance (forced labour is ~2% of visits) is handled with balanced class
  weights, which inflates the raw scores; so
- **calibration** is fitted afterwards on the *latest* part of the training period, which the
  booster did not see (``CalibratedClassifierCV`` around the frozen booster; isotonic with
  enough positives, else sigmoid). ``risk_score`` is therefore a probability.
- **labels**: ``forced_labour`` is the positive class. ``labour_violation`` and
  ``no_violation`` are both negatives for this score: a labour violation without forced labour
  is exactly what the score must tell apart from forced labour. (A second head for labour
  violations can reuse the same features; it is not built yet.)
- **features never used**: worker-level sex and nationality (they are not in the feature
  vocabulary at all), region (it would make the model target places, not conditions, and
  feed back into where inspectors go), the share of foreign workers as such. Site-level
  vulnerability that the frameworks name (foreign workers *without a permit*, minors) is used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, validate_data

from screening.errors import TrainingError, UsageError
from screening.model.features import (  # noqa: F401 - re-exported: the model's public names
    EXCLUDED_FEATURES,
    POSITIVE,
    VULNERABILITY_FEATURES,
    feature_frame,
    fingerprint,
    model_features,
)
from screening.rules.columns import float_values


class FeatureSelector(TransformerMixin, BaseEstimator):
    """Select the named feature columns, in order, as a float matrix.

    A frame missing a named column is refused with the names, so a model is never scored on
    features it was not trained with. A column that was unknown in every row seen in ``fit``
    (an optional upload column nobody filled) is kept but always passed on as 0 (its names in
    ``unknown_``): the trees cannot split on it, so it is harmless, and the model keeps the
    catalogue's feature list.

    Parameters
    ----------
    columns : list of str or None
        The feature names; None keeps every column of the frame seen in ``fit``.
    """

    def __init__(self, *, columns: list[str] | None = None):
        self.columns = columns

    def __sklearn_tags__(self):  # noqa: D105 - unknown values are the point
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None):  # noqa: N803 - scikit-learn's name
        """Remember the columns to select (names of a DataFrame, or positions of an array)."""
        named = isinstance(X, pd.DataFrame)
        if named and self.columns is not None:
            missing = [c for c in self.columns if c not in X.columns]
            if missing:
                raise UsageError(f"The frame lacks the feature column(s) {missing[:5]}.")
        array = validate_data(self, X, reset=True, ensure_all_finite="allow-nan",
                              dtype="numeric")
        if named:
            self.columns_ = list(self.columns) if self.columns is not None else list(X.columns)
            values = np.column_stack([float_values(X[c])
                                      for c in self.columns_]) if self.columns_ else array
        else:
            self.columns_ = list(range(self.n_features_in_))
            values = np.asarray(array, dtype="float64")[:, self.columns_]
        unknown = np.isnan(values).all(axis=0) if len(values) else np.zeros(0, dtype=bool)
        self.unknown_ = [c for c, u in zip(self.columns_, unknown, strict=True) if u]
        return self

    def transform(self, X):  # noqa: N803
        """The selected columns as a float64 matrix (NaN for unknown)."""
        check_is_fitted(self)
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in self.columns_):
            missing = [c for c in self.columns_ if c not in X.columns]
            if missing:
                raise UsageError(f"The frame lacks the feature column(s) {missing[:5]}.")
            # column by column into Fortran order: the trees predict several times faster
            # on it than on the row-major matrix pandas would interleave
            out = np.empty((len(X), len(self.columns_)), dtype="float64", order="F")
            for j, name in enumerate(self.columns_):
                out[:, j] = float_values(X[name])
            return self._harmless(out)
        array = validate_data(self, X, reset=False, ensure_all_finite="allow-nan",
                              dtype="float64")
        return self._harmless(array[:, self.columns_])

    def _harmless(self, out: np.ndarray) -> np.ndarray:
        """Columns unknown throughout ``fit`` as a constant 0 (models saved before this
        attribute existed have none)."""
        unknown = getattr(self, "unknown_", [])
        if unknown:
            out = np.array(out, dtype="float64", order="F")
            for column in unknown:
                out[:, self.columns_.index(column)] = 0.0
        return out

    def get_feature_names_out(self, input_features=None):
        """The selected feature names."""
        check_is_fitted(self)
        return np.asarray([str(c) for c in self.columns_], dtype=object)


#: Feature cells per slice when scoring (16 MB of floats).
SCORE_CELLS = 2_000_000


@dataclass
class TrainedModel:
    """A calibrated classifier and what is needed to use and describe it."""

    estimator: CalibratedClassifierCV
    features: list[str]
    escalation_threshold: float
    info: dict = field(default_factory=dict)

    def risk_score(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of forced labour per row of a :func:`feature_frame` (an empty
        array for an empty frame: an upload whose every row was rejected)."""
        if len(frame) == 0:
            return np.empty(0, dtype="float64")
        selected = frame[self.features]
        # in slices: each slice's feature matrix (rows x ~150 floats) fits in memory the
        # allocator reuses, where a million rows' would be 1.2 GB of fresh pages
        step = max(1, SCORE_CELLS // max(len(self.features), 1))
        return np.concatenate([self.estimator.predict_proba(selected.iloc[i:i + step])[:, 1]
                               for i in range(0, len(selected), step)])


def booster(random_state: int = 0) -> Pipeline:
    """The uncalibrated pipeline: feature selection and the gradient-boosted trees."""
    return Pipeline([
        ("select", FeatureSelector()),
        ("trees", HistGradientBoostingClassifier(
            learning_rate=0.08, max_iter=250, max_leaf_nodes=31, min_samples_leaf=40,
            l2_regularization=1.0, class_weight="balanced", early_stopping=True,
            validation_fraction=0.15, n_iter_no_change=20, random_state=random_state)),
    ])  # fmt: skip


def fit(frame: pd.DataFrame, labels: np.ndarray, dates: pd.Series, *,
        sample_weight: np.ndarray | None = None, calibration_share: float = 0.2,
        random_state: int = 0) -> tuple[CalibratedClassifierCV, Pipeline, dict]:
    """Fit the booster on the earlier visits and its calibration on the latest ones.

    Returns the calibrated estimator, the uncalibrated booster (for comparison) and facts
    for the model card (rows, positives, calibration method); ``facts["calibration_rows"]``
    holds the positions (in ``frame``) of the calibration visits, the validation data.

    Raises
    ------
    TrainingError
        When either period has no forced-labour outcome to learn or calibrate from.
    """
    order = np.argsort(pd.to_datetime(dates).to_numpy(), kind="stable")
    cut = int(round(len(order) * (1 - calibration_share)))
    fit_rows, cal_rows = order[:cut], order[cut:]
    y = np.asarray(labels, dtype=int)
    for name, rows in (("training", fit_rows), ("calibration", cal_rows)):
        positives = int(y[rows].sum())
        if positives == 0 or positives == len(rows):
            raise TrainingError(f"The {name} period ({len(rows)} labelled visits) has "
                             f"{positives} forced-labour outcomes; both classes are needed.")
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype="float64")
    model = booster(random_state)
    model.fit(frame.iloc[fit_rows], y[fit_rows],
              trees__sample_weight=None if weights is None else weights[fit_rows])
    positives_cal = int(y[cal_rows].sum())
    method = "isotonic" if positives_cal >= 100 else "sigmoid"
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method=method)
    with warnings.catch_warnings():
        # the booster is frozen (already fitted with the weights): that the weights reach only
        # the calibration is exactly what is meant here
        warnings.filterwarnings("ignore", message="Since FrozenEstimator does not appear")
        calibrated.fit(frame.iloc[cal_rows], y[cal_rows],
                       sample_weight=None if weights is None else weights[cal_rows])
    facts = {"fit_rows": len(fit_rows), "calibration_rows": cal_rows,
             "fit_positives": int(y[fit_rows].sum()), "calibration_positives": positives_cal,
             "calibration_method": method,
             "iterations": int(model.named_steps["trees"].n_iter_)}
    return calibrated, model, facts


__all__ = ["EXCLUDED_FEATURES", "POSITIVE", "VULNERABILITY_FEATURES", "FeatureSelector",
           "TrainedModel", "booster", "feature_frame", "fingerprint", "fit", "model_features"]
