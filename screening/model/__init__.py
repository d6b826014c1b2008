"""The classifier and its lifecycle: features, site history, training, evaluation, versions, plots.

Modules: ``features`` (the model's input, no scikit-learn), ``history`` (what earlier visits to
a site showed), ``classifier`` (the calibrated boosted trees), ``training`` and ``evaluation``
(temporal holdout, metrics at capacity), ``versions`` (model folders with a card, verified
before loading), ``plots``.

``TrainedModel`` and ``FeatureSelector`` are reachable here too, as the model files saved
before this package existed name them (``screening.model.TrainedModel``); they are imported on
first use, so importing :mod:`screening.model` does not import scikit-learn.
"""

from __future__ import annotations

from typing import Any

_LAZY = {"TrainedModel": "screening.model.classifier",
         "FeatureSelector": "screening.model.classifier"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'screening.model' has no attribute {name!r}")


__all__ = ["FeatureSelector", "TrainedModel"]
