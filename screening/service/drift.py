"""Drift: do the stored visits still look like the active model's training data?

Per month of visit date, the population stability index of every model feature (the fired
indicators included, so each indicator's firing rate is watched) against the bins kept with the
model version (``reference.json``), and each feature's share of unknown values. A month with
enough visits (``SCREENING_DRIFT_MIN_VISITS``) whose PSI reaches ``SCREENING_DRIFT_PSI_WARNING``,
or whose unknown share rose by ``SCREENING_DRIFT_UNKNOWN_WARNING``, raises a warning naming
the columns.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from screening.errors import ModelError
from screening.model.features import feature_frame
from screening.model.monitoring import drift_table
from screening.service.context import Services
from screening.store import outcomes_frame, transaction
from screening.store.frames import stored_frames
from screening.store.tables import Upload

_LOCK = threading.Lock()


def _latest_upload(services: Services) -> int:
    with transaction(services.engine, write=False) as session:
        return int(session.scalar(select(func.max(Upload.id))) or 0)


def drift_report(services: Services) -> dict[str, Any]:
    """The drift of the stored visits against the active model's training data.

    Returns
    -------
    dict
        ``status`` (``ok``, ``drift``, ``no_model``, ``no_reference``, ``no_visits``),
        ``model``, ``table`` (rows: month, column, visits, psi, unknown_share,
        training_unknown_share), ``warnings`` (rows of judged months over a threshold) and
        ``columns`` (the columns named in warnings, worst first). Cached until the next upload.
    """
    from screening.model.versions import read_reference, resolve

    name = services.models.chosen()
    if not name:
        return {"status": "no_model", "model": "", "table": [], "warnings": [], "columns": []}
    key = ("drift", name, _latest_upload(services), services.settings.drift_psi_warning,
           services.settings.drift_unknown_warning, services.settings.drift_min_visits)
    with _LOCK:
        if key in services.cache:
            return services.cache[key]
    try:
        reference = read_reference(resolve(name, services.settings.models_dir))
    except ModelError:
        reference = None
    if not reference:
        report = {"status": "no_reference", "model": name, "table": [], "warnings": [],
                  "columns": []}
    else:
        report = _measure(services, name, reference)
    with _LOCK:
        services.cache = {k: v for k, v in services.cache.items() if k[0] != "drift"}
        services.cache[key] = report
    return report


def _measure(services: Services, name: str, reference: dict) -> dict[str, Any]:
    visits, interviews = stored_frames(services.engine)
    if not len(visits):
        return {"status": "no_visits", "model": name, "table": [], "warnings": [],
                "columns": []}
    rules = services.rules("en")
    result = rules.run(visits, interviews)
    features = feature_frame(visits, result, rules.catalogue, outcomes_frame(services.engine))
    months = pd.to_datetime(visits["visit_date"]).dt.strftime("%Y-%m")
    table = drift_table(reference, features, months)
    settings = services.settings
    judged = table[table["visits"] >= settings.drift_min_visits]
    rise = judged["unknown_share"] - judged["training_unknown_share"]
    flagged = judged[(judged["psi"] >= settings.drift_psi_warning)
                     | (rise >= settings.drift_unknown_warning)]
    flagged = flagged.sort_values(["psi"], ascending=False)
    columns = list(dict.fromkeys(flagged["column"]))
    return {"status": "drift" if columns else "ok", "model": name,
            "table": table.round(4).to_dict("records"),
            "warnings": flagged.round(4).to_dict("records"), "columns": columns,
            "series": [_series(table[table["column"] == c], c, settings.drift_psi_warning)
                       for c in columns[:6] if (table["column"] == c).sum() >= 2]}


def _series(rows: pd.DataFrame, column: str, threshold: float, width: int = 400,
            height: int = 160) -> dict[str, Any]:
    """A column's PSI by month as points of a small SVG line chart (the threshold marked)."""
    top = max(float(rows["psi"].max()), threshold) * 1.15 or 1.0
    step = width / max(len(rows) - 1, 1)
    marks = [{"x": round(i * step, 1), "y": round(height - height * psi / top, 1),
              "month": month, "psi": psi}
             for i, (month, psi) in enumerate(zip(rows["month"], rows["psi"], strict=True))]
    return {"column": column, "width": width, "height": height, "marks": marks,
            "points": " ".join(f"{m['x']},{m['y']}" for m in marks),
            "threshold_y": round(height - height * threshold / top, 1),
            "first": marks[0]["month"] if marks else "", "last": marks[-1]["month"] if marks
            else ""}


__all__ = ["drift_report"]
