"""The analyst's page: the active model's card, metrics and plots, whether it loaded, the
versions, and (admin) switching the active model, which the store keeps for every process."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from screening.errors import ModelError
from screening.service.drift import drift_report
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
    return _model_page(request, user)


def _model_page(request: Request, user: User, status: int = 200, **extra: object) -> Response:
    from screening.model.versions import list_models

    svc = request.app.state.services
    model_status = svc.models.status()
    card, _, problem = _card(request, model_status.name)
    table = list_models(svc.settings.models_dir)
    versions = table.to_dict("records") if not table.empty else []
    return render(request, "model.html", user=user, active=model_status.name, card=card,
                  drift=drift_report(svc),
                  problem=problem or model_status.problem, versions=versions,
                  can_switch=user.role == "admin",
                  switch_error=request.query_params.get("unknown"),
                  known_plots={k for k in STRINGS if k.startswith("plot_")},
                  metric_labels=METRIC_LABELS, status=status, **extra)


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
           force: str = Form(""), reason: str = Form(""),  # noqa: B008
           user: User = Depends(page_user("admin"))) -> Response:  # noqa: B008
    """Promote a model version (admin): compared with the active model and refused when it is
    worse, unless forced with a reason; the store keeps the choice for every process, and the
    promotion is audited."""
    from screening.model.versions import list_models
    from screening.service.promotion import PromotionRefused, promote

    check_csrf(request, csrf)
    svc = request.app.state.services
    table = list_models(svc.settings.models_dir)
    if version and (table.empty or version not in set(table["version"])):
        return RedirectResponse("/model?unknown=1", status_code=303)
    try:
        promote(svc, version, user, force=bool(force), reason=reason)
    except (PromotionRefused, ModelError) as exc:
        comparison = getattr(exc, "comparison", None)
        return _model_page(request, user, status=409 if comparison else 422,
                          promote_error=str(exc), requested=version, reason=reason,
                          comparison=comparison.as_dict() if comparison else None)
    return RedirectResponse("/model", status_code=303)


__all__ = ["router"]
