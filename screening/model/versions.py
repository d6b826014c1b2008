"""Model versions: one folder each (model.skops, card.json, plots), verified before loading.

A model file is read with ``skops.io``, never unpickled: skops rebuilds only the types it is
told to trust, and :data:`TRUSTED_TYPES` is the explicit list of the types beyond its own safe
defaults (numpy, scikit-learn estimators) that a screening model holds. A file naming any
other type is refused before anything in it is built, so replacing both the file and the
checksum on its card cannot run code. A model is also loaded only from a folder inside the
configured models folder, only when its sha256 matches its card (corruption), only with the
scikit-learn version it was made with, and only when its features match the catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import skops
import skops.io as sio

from screening.errors import ModelError
from screening.model.classifier import (
    EXCLUDED_FEATURES,
    VULNERABILITY_FEATURES,
    TrainedModel,
    model_features,
)
from screening.model.training import Report
from screening.rules.catalogue import Catalogue
from screening.settings import load_settings

MODEL_FILE, CARD_FILE, REFERENCE_FILE = "model.skops", "card.json", "reference.json"
TRUSTED_TYPES = (
    "screening.model.classifier.FeatureSelector",
    "screening.model.classifier.TrainedModel",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)
"""The types a model file may hold beyond those ``skops.io`` trusts by default; any other type
is refused before the file is read."""
PLOTS = ("precision_recall.png", "calibration.png", "recall_by_capacity.png")


def models_dir() -> Path:
    """The configured models folder: ``SCREENING_MODELS_DIR`` or ``models/`` of the project."""
    return Path(load_settings().models_dir)


def resolve(name: str | Path, base: Path | None = None) -> Path:
    r"""The folder of model version ``name`` (a name or a path), refused outside ``base``.

    >>> resolve("bad" + chr(0) + "name")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    screening.errors.ModelError: 'bad\x00name' is not a model version: a name has no control ...
    """
    text = str(name)
    if len(text) > 255 or any(ord(ch) < 32 for ch in text):
        raise ModelError(f"{text[:60]!r} is not a model version: a name has no control "
                         "characters and at most 255 characters.")
    base = (base or models_dir()).resolve()
    candidate = Path(name)
    folder = (candidate if candidate.is_absolute() or len(candidate.parts) > 1
              else base / candidate).resolve()
    if folder != base and base not in folder.parents:
        raise ModelError(f"Refusing to load a model from {folder}: models are loaded only from "
                         f"folders inside the models folder {base}.")
    return folder


def sha256_of(path: Path) -> str:
    """The file's sha256, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libraries() -> dict[str, str]:
    """Versions of the libraries a saved model depends on."""
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "pandas": pd.__version__, "skops": skops.__version__}


def _table(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.reset_index().to_json(orient="records"))


def card(model: TrainedModel, report: Report, catalogue: Catalogue, *, version: str,
         synthetic: bool) -> dict:
    """The model card (see the README): provenance, data, features, metrics, use, limits."""
    limitations = [
        "Labels exist only where someone followed up; the exploration slots and inverse "
        "selection weights reduce, not remove, the bias this creates.",
        "The risk score is a probability for visits like the training data; a new region, "
        "sector mix or inspection practice can make it wrong until the model is retrained.",
        "It advises: it may raise a visit by one tier, never lowers one and never makes one "
        "urgent; people decide.",
    ]
    unknown = report.facts.get("features_unknown_in_training") or []
    if unknown:
        limitations.append(f"{len(unknown)} feature(s) were unknown in every training visit (an "
                           "optional upload column nobody filled): the model ignores them "
                           f"({', '.join(unknown[:8])}{', ...' if len(unknown) > 8 else ''}).")
    if synthetic:
        limitations.insert(0, "TRAINED ON SYNTHETIC DATA (screening.datasets.synthetic): for "
                              "demonstration and tests only, not for real follow-up decisions.")
    summary = (limitations[0] if synthetic else
               "Calibrated probability of forced labour per visit, for ranking follow-ups.")
    return {
        "summary": summary,
        "version": version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "libraries": libraries(),
        "model_sha256": None,
        "training_data": {k: report.facts.get(k) for k in (
            "data_fingerprint", "labelled_visits", "train_visits", "train_positives",
            "train_prevalence", "train_period", "test_visits", "test_positives", "test_period",
            "ipw")} | {"synthetic": synthetic},
        "fit": {k: report.facts.get(k) for k in (
            "fit_rows", "fit_positives", "calibration_rows", "calibration_positives",
            "calibration_method", "iterations", "features_unknown_in_training")},
        "features": model.features,
        "vulnerability_features": [f for f in VULNERABILITY_FEATURES if f in model.features],
        "excluded_features": EXCLUDED_FEATURES | {
            "sex, nationality": "worker-level sex and nationality are never features"},
        "catalogue_fingerprint": catalogue.fingerprint,
        "thresholds": {"escalation": model.escalation_threshold},
        "metrics": {
            "capacity": report.facts.get("capacity"), "k": report.facts.get("k"),
            "at_capacity": _table(report.at_capacity.set_index("ordering")),
            "referral_queue": report.referral,
            "recall_at_capacities": json.loads(report.recall_grid.to_json(orient="records")),
            "probability": report.probability, "calibration": _table(report.calibration),
            "recall_by_sector": _table(report.by_sector), "recall_by_region":
            _table(report.by_region), "exploration": report.exploration,
        },
        "intended_use": "Rank labour-inspection visits for follow-up by the national "
                        "monitoring centre, beside the rule-based tiers and their reasons.",
        "out_of_scope": ["deciding that forced labour exists or that an employer is guilty",
                         "scoring individual workers", "demoting a rule-based finding",
                         "use on data unlike the training data without re-evaluation"],
        "limitations": limitations,
    }  # fmt: skip


def save(model: TrainedModel, report: Report, catalogue: Catalogue, folder: Path, *,
         synthetic: bool) -> Path:
    """Write a model version: model.skops, card.json (with the file's sha256) and plots."""
    from screening.model.plots import write_plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_model(model, folder / MODEL_FILE)
    info = card(model, report, catalogue, version=folder.name, synthetic=synthetic)
    info["model_sha256"] = sha256_of(folder / MODEL_FILE)
    info["plots"] = list(write_plots(report, folder))
    if report.reference:  # the training data's distribution of each feature, for drift
        (folder / REFERENCE_FILE).write_text(json.dumps(report.reference) + "\n",
                                             encoding="utf-8")
        info["reference"] = REFERENCE_FILE
    (folder / CARD_FILE).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return folder


def write_model(model: TrainedModel, path: Path) -> None:
    """Write a trained model with ``skops.io`` (compressed)."""
    sio.dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def read_model(path: Path) -> TrainedModel:
    """Read a model file with ``skops.io``, refusing any type outside :data:`TRUSTED_TYPES`.

    Raises
    ------
    ModelError
        The file is not a skops file, names a type outside the trusted list (listed), or does
        not hold a screening model.
    """
    try:
        found = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file fails in many ways
        raise ModelError(f"{path} cannot be read as a skops model file "
                         f"({type(exc).__name__}).") from None
    refused = sorted(set(found) - set(TRUSTED_TYPES))
    if refused:
        raise ModelError(f"{path} holds types outside the list of trusted types "
                         f"({', '.join(refused[:5])}); refusing to load it.")
    try:
        model = sio.load(path, trusted=list(found))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path} cannot be loaded ({type(exc).__name__}: {exc}).") from None
    if not isinstance(model, TrainedModel):
        raise ModelError(f"{path} does not hold a trained screening model.")
    return model


def read_card(folder: Path) -> dict:
    """The card of a model folder (ModelError when missing or not JSON)."""
    path = Path(folder) / CARD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder} is not a model version: it has no {CARD_FILE}.") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}).") from None


def _check_libraries(recorded: dict[str, str], folder: Path) -> None:
    current = libraries()
    made, now = recorded.get("scikit-learn", "?"), current["scikit-learn"]
    if made.split(".")[:2] != now.split(".")[:2]:
        raise ModelError(f"{folder} was made with scikit-learn {made} and this is {now}; "
                         "models are not portable across its versions: retrain it.")
    for name in ("scikit-learn", "numpy", "pandas"):
        if recorded.get(name) != current[name]:
            warnings.warn(f"{folder} was made with {name} {recorded.get(name)}; this is "
                          f"{current[name]}.", stacklevel=3)


def load(name: str | Path, catalogue: Catalogue, *, base: Path | None = None) -> TrainedModel:
    """Load a model version after checking it (see the module docstring).

    Raises
    ------
    ModelError
        Outside the models folder, no card, a model file whose sha256 differs from the card,
        another scikit-learn version, or features that do not match the catalogue.
    """
    folder = resolve(name, base)
    info = read_card(folder)
    path = folder / MODEL_FILE
    if not path.exists():
        old = " (a model.joblib pickle is no longer loaded: retrain the model)" if (
            folder / "model.joblib").exists() else ""
        raise ModelError(f"{folder} has a card but no {MODEL_FILE}{old}.")
    actual = sha256_of(path)
    if actual != info.get("model_sha256"):
        raise ModelError(f"{path} does not match its card: sha256 {actual[:16]}... but the "
                         f"card says {str(info.get('model_sha256'))[:16]}...; refusing to load.")
    expected = model_features(catalogue)
    if info.get("features") != expected:
        extra = sorted(set(info.get("features") or []) - set(expected))[:5]
        missing = sorted(set(expected) - set(info.get("features") or []))[:5]
        raise ModelError(f"{folder}: the card's features do not match the indicator catalogue "
                         f"(not in the catalogue: {extra}; not in the card: {missing}); "
                         "retrain the model for this catalogue.")
    _check_libraries(info.get("libraries", {}), folder)
    if info.get("catalogue_fingerprint") != catalogue.fingerprint:
        warnings.warn(f"{folder} was trained with another version of the indicator catalogue "
                      "(same features); its scores may be off until it is retrained.",
                      stacklevel=2)
    model = read_model(path)
    model.info = info
    return model


def read_reference(folder: Path) -> dict | None:
    """The training data's feature distributions of a model version (None when it has none:
    models saved before drift was measured)."""
    path = Path(folder) / REFERENCE_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}).") from None


def list_models(base: Path | None = None) -> pd.DataFrame:
    """The model versions in the models folder with their key metrics."""
    base = base or models_dir()
    rows = []
    for card_path in sorted(Path(base).glob(f"*/{CARD_FILE}")):
        info = read_card(card_path.parent)
        capacity = {r["ordering"]: r for r in info["metrics"]["at_capacity"]}
        combined = capacity.get("combined follow-up list", {})
        rules = capacity.get("rules only (tier, rule score)", {})
        rows.append({
            "version": info["version"], "created": info["created"],
            "synthetic": info["training_data"].get("synthetic"),
            "train_visits": info["training_data"].get("train_visits"),
            "prevalence": info["training_data"].get("train_prevalence"),
            "k": info["metrics"].get("k"),
            "precision@k": combined.get("precision@k"), "lift": combined.get("lift"),
            "rules precision@k": rules.get("precision@k"),
            "pr_auc": info["metrics"]["probability"].get("pr_auc"),
            "brier": info["metrics"]["probability"].get("brier"),
        })  # fmt: skip
    return pd.DataFrame(rows)


__all__ = ["CARD_FILE", "MODEL_FILE", "REFERENCE_FILE", "TRUSTED_TYPES", "ModelError", "card",
           "libraries", "list_models", "load", "models_dir", "read_card", "read_model",
           "read_reference", "resolve", "save", "sha256_of", "write_model"]
