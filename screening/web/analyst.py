"""The analyst's page: the active model's card, metrics and plots, whether it loaded, the
versions, and (admin) switching the active model, which the store keeps for every process."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from screening.errors import ModelError
from screening.store.tables import User
from screening.web.i18n import STRINGS, translate
from screening.web.security import WebError, check_csrf, lang, page_user, render

router = APIRouter(include_in_schema=False)
METRIC_LABELS = {"index": "col_group", "visits": "col_visits", "positives": "col_positives",
                 "caught": "col_caught", "recall@k": "col_recall", "gap": "col_gap"}
"""Column names of the card's metrics by group -> the i18n keys of their headers."""


def _card(request: Request, name: str) -> tuple[dict | None, Path | None, str | None]:
    from screening.model.versions import read_card, resolve

    if not name:
        return None, None, None
    try:
        folder = resolve(name, request.app.state.services.settings.models_dir)
        return read_card(folder), folder, None
    except ModelError as exc:
        return None, None, str(exc)


@router.get("/model")
def model_page(request: Request,
               user: User = Depends(page_user("analyst"))) -> Response:  # noqa: B008
    """The active model's card, metrics by sector and region, plots, and the versions; a model
    that cannot be loaded is said so, with the reason."""
    from screening.model.versions import list_models

    svc = request.app.state.services
    status = svc.models.status()
    card, _, problem = _card(request, status.name)
    table = list_models(svc.settings.models_dir)
    versions = table.to_dict("records") if not table.empty else []
    from screening.service.drift import drift_report

    return render(request, "model.html", user=user, active=status.name, card=card,
                  drift=drift_report(svc),
                  problem=problem or status.problem, versions=versions,
                  can_switch=user.role == "admin",
                  switch_error=request.query_params.get("unknown"),
                  known_plots={k for k in STRINGS if k.startswith("plot_")},
                  metric_labels=METRIC_LABELS)


@router.get("/performance")
def performance(request: Request, model: str = "active",
                user: User = Depends(page_user("analyst", "monitor"))) -> Response:  # noqa: B008
    """How the list does on decided follow-ups (the active model's visits, or all)."""
    from screening.service.performance import live_performance

    svc = request.app.state.services
    version = svc.models.chosen() if model == "active" else None
    data = live_performance(svc.engine, model_version=version or None)
    language = lang(request)
    if version is None:
        label = translate(language, "perf_all_models")
    else:
        label = version or translate(language, "perf_rules_only")
    return render(request, "performance.html", user=user, p=data, model_label=label)


@router.get("/model/plots/{name}")
def plot(request: Request, name: str,
         user: User = Depends(page_user("analyst"))) -> Response:  # noqa: B008
    """A plot of the active model: only files the card names in ``plots`` are served."""
    card, folder, _ = _card(request, request.app.state.services.models.chosen())
    if card is None or folder is None or name not in (card.get("plots") or []):
        raise WebError(404, "error_404", what=name)
    path = folder / name
    if path.parent != folder or not path.is_file():
        raise WebError(404, "error_404", what=name)
    return FileResponse(path, media_type="image/png")


@router.post("/model/active")
def switch(request: Request, csrf: str = Form(""), version: str = Form(""),  # noqa: B008
           user: User = Depends(page_user("admin"))) -> Response:  # noqa: B008
    """Switch the model that screens new uploads (admin); the store keeps the choice, so every
    process of the service uses it, and the switch is audited."""
    check_csrf(request, csrf)
    try:
        request.app.state.services.models.choose(version, user)
    except ModelError:
        return RedirectResponse("/model?unknown=1", status_code=303)
    return RedirectResponse("/model", status_code=303)


__all__ = ["router"]
