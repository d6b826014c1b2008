"""The analyst's page: the active model's card, metrics and plots, the versions, and (admin)
switching the active model."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from screening.store import audit
from screening.store.engine import transaction
from screening.store.tables import User
from screening.web.i18n import STRINGS
from screening.web.security import WebError, check_csrf, page_user, render

router = APIRouter(include_in_schema=False)
METRIC_LABELS = {"index": "col_group", "visits": "col_visits", "positives": "col_positives",
                 "caught": "col_caught", "recall@k": "col_recall", "gap": "col_gap"}
"""Column names of the card's metrics by group -> the i18n keys of their headers."""
SETTINGS_FILE = "web-settings.json"
"""The file in the data folder that keeps the active model chosen on the model page."""


def settings_path(app) -> Path:  # noqa: ANN001
    """Where the web settings (the chosen active model) are kept."""
    return Path(app.state.services.settings.store.data_dir) / SETTINGS_FILE


def set_active_model(app, name: str) -> None:  # noqa: ANN001
    """Make ``name`` ('' for rules only) the active model of the running service."""
    svc = app.state.services
    svc.settings = dataclasses.replace(svc.settings, active_model=name)


def restore_active_model(app) -> None:  # noqa: ANN001
    """Apply the active model chosen on the model page, if one was (it outlives restarts)."""
    path = settings_path(app)
    try:
        chosen = json.loads(path.read_text(encoding="utf-8")).get("active_model")
    except (FileNotFoundError, ValueError, AttributeError):
        return
    if isinstance(chosen, str):
        set_active_model(app, chosen)


def _card(name: str) -> tuple[dict | None, Path | None, str | None]:
    from screening.versions import ModelError, read_card, resolve

    if not name:
        return None, None, None
    try:
        folder = resolve(name)
        return read_card(folder), folder, None
    except ModelError as exc:
        return None, None, str(exc)


@router.get("/model")
def model_page(request: Request,
               user: User = Depends(page_user("analyst"))) -> Response:  # noqa: B008
    """The active model's card, metrics by sector and region, plots, and the versions."""
    from screening.versions import list_models

    active = request.app.state.services.settings.active_model
    card, _, problem = _card(active)
    table = list_models()
    versions = table.to_dict("records") if not table.empty else []
    return render(request, "model.html", user=user, active=active, card=card, problem=problem,
                  versions=versions, can_switch=user.role == "admin",
                  switch_error=request.query_params.get("unknown"),
                  known_plots={k for k in STRINGS if k.startswith("plot_")},
                  metric_labels=METRIC_LABELS)


@router.get("/model/plots/{name}")
def plot(request: Request, name: str,
         user: User = Depends(page_user("analyst"))) -> Response:  # noqa: B008
    """A plot of the active model: only files the card names in ``plots`` are served."""
    card, folder, _ = _card(request.app.state.services.settings.active_model)
    if card is None or folder is None or name not in (card.get("plots") or []):
        raise WebError(404, "error_404", what=name)
    path = folder / name
    if path.parent != folder or not path.is_file():
        raise WebError(404, "error_404", what=name)
    return FileResponse(path, media_type="image/png")


@router.post("/model/active")
def switch(request: Request, csrf: str = Form(""), version: str = Form(""),  # noqa: B008
           user: User = Depends(page_user("admin"))) -> Response:  # noqa: B008
    """Switch the model that screens new uploads (admin); kept in the data folder."""
    from screening.versions import list_models

    check_csrf(request, csrf)
    table = list_models()
    known = set(table["version"]) if not table.empty else set()
    if version and version not in known:
        return RedirectResponse("/model?unknown=1", status_code=303)
    set_active_model(request.app, version)
    path = settings_path(request.app)
    path.write_text(json.dumps({"active_model": version}) + "\n", encoding="utf-8")
    with transaction(request.app.state.services.engine) as db:
        audit(db, user, "model.activate", "model", version or None, via="web")
    return RedirectResponse("/model", status_code=303)


__all__ = ["restore_active_model", "router", "set_active_model", "settings_path"]
