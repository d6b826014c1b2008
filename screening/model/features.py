"""The model's features: one row per visit from the engine's output, the same for training
and scoring (no scikit-learn here, so screening without a model never imports it).

Features never used: worker-level sex and nationality (they are not in the feature vocabulary
at all), region (it would make the model target places, not conditions, and feed back into
where inspectors go), the share of foreign workers as such. Site-level vulnerability that the
frameworks name (foreign workers *without a permit*, minors) is used.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from screening.ingest.records import SECTORS
from screening.model.history import HISTORY_FEATURES, site_history
from screening.rules.catalogue import Catalogue
from screening.rules.engine import EngineResult

#: Site features left out of the model, and why (listed on the model card).
EXCLUDED_FEATURES: dict[str, str] = {
    "region": "would target places rather than conditions and feed back into where inspectors go",
    "subsector": "free text; the sector and the sector-variant indicators carry it",
    "foreign_workers": "a nationality count; only foreign workers without a permit are used",
    "share_foreign": "a nationality share; only the share without a permit is used",
}

#: Features the frameworks name as vulnerability (listed on the model card).
VULNERABILITY_FEATURES = ("foreign_workers_without_permit", "share_foreign_without_permit",
                          "minors_present", "share_minors", "workers_minors", "workers_under_15")

POSITIVE = "forced_labour"


def model_features(catalogue: Catalogue) -> list[str]:
    """The model's feature names, in order, for a catalogue (a card must list exactly these).

    >>> from screening.rules.catalogue import load_catalogue
    >>> names = model_features(load_catalogue())
    >>> "rule_score" in names and "fired:ICLS-FL-WORKERS" in names and "region" not in names
    True
    """
    site = [name for name, kind in catalogue.site_types.items()
            if kind != "text" and name not in EXCLUDED_FEATURES]
    sectors = [f"sector:{s}" for s in SECTORS]
    fired = [f"fired:{ind.id}" for ind in catalogue.site]
    return [*site, *sectors, *fired, "rule_score", *HISTORY_FEATURES]


def feature_frame(visits: pd.DataFrame, result: EngineResult, catalogue: Catalogue,
                  outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's input: one row per visit, float columns named as :func:`model_features`."""
    names = model_features(catalogue)
    columns: dict[str, np.ndarray] = {}
    for name in names:
        if name in result.features:
            columns[name] = np.asarray(result.features[name], dtype="float64")
    for s in SECTORS:
        columns[f"sector:{s}"] = (visits["sector"] == s).to_numpy(dtype="float64")
    fired = result.fired.to_numpy()
    for j, ind in enumerate(catalogue.site):
        columns[f"fired:{ind.id}"] = fired[:, j].astype("float64")
    columns["rule_score"] = np.asarray(result.rule_score, dtype="float64")
    history = site_history(visits, result.rule_score, np.asarray(result.tier.codes), outcomes)
    for name in HISTORY_FEATURES:
        columns[name] = history[name].to_numpy(dtype="float64")
    return pd.DataFrame({n: columns[n] for n in names}, index=visits.index, copy=False)


def fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of a frame's canonical form (sorted columns, row order as given, NaN as empty).

    >>> fingerprint(pd.DataFrame({"b": [1.0], "a": [None]})) == fingerprint(
    ...     pd.DataFrame({"a": [None], "b": [1.0]}))
    True
    """
    canonical = frame[sorted(frame.columns)].to_csv(index=False, na_rep="", float_format="%.10g")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


__all__ = ["EXCLUDED_FEATURES", "POSITIVE", "VULNERABILITY_FEATURES", "feature_frame",
           "fingerprint", "model_features"]
