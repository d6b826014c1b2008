"""The visit page (monitoring centre, analyst): what the site is, why it ranks where it does,
what could not be checked, the review form, then the evidence, the workers' ICLS results, the
site's history and the reviews, collapsed. Opening it is audited.

A review that fails its checks is not recorded: the page comes back with status 422, what was
typed kept, each problem beside its field (``aria-invalid``, ``aria-describedby``), the form's
``#review`` anchor bringing the browser back to the form, and ``static/review-focus.js``
putting the cursor in the first field with a problem (a page opened at an anchor ignores
``autofocus``).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from screening.errors import StoreError, UnknownVisitError
from screening.ingest.records import OUTCOMES
from screening.service import referrals
from screening.service.review_checks import FIELDS, ReviewInput, check_review
from screening.service.visit_reading import read_visit
from screening.store import audit, record_review, transaction
from screening.store.tables import User
from screening.translation import gettext
from screening.vocabulary import REVIEW_STATUSES
from screening.web.referrals import clock_text
from screening.web.security import WebError, check_csrf, lang, page_user, render

router = APIRouter(include_in_schema=False)


def _page(request: Request, visit_id: str, user: User, status: int = 200,
          form: ReviewInput | None = None, form_error: str | None = None,
          saved: bool = False) -> Response:
    svc = request.app.state.services
    language = lang(request)
    try:
        read = read_visit(svc, visit_id, language)
    except UnknownVisitError:
        raise WebError(404, "error_404", what=visit_id) from None
    with transaction(svc.engine) as db:
        audit(db, user, "visit.read", "visit", visit_id, via="web")
    case = referrals.case_of_visit(svc.engine, visit_id, svc.settings.now())
    form = form or ReviewInput(typed=dict.fromkeys(FIELDS, ""))
    problems = {name: gettext(language, p.message, **p.values)
                for name, p in form.problems.items()}
    return render(request, "visit.html", status=status, user=user, vr=read,
                  d=read["detail"], s=read["screening"], case=case, clock=clock_text,
                  outcomes=OUTCOMES, statuses=REVIEW_STATUSES, typed=form.typed,
                  problems=problems, form_error=form_error,
                  saved=saved, can_review=user.role in ("monitor", "admin"))


@router.get("/visits/{visit_id}")
def visit(request: Request, visit_id: str,
          user: User = Depends(page_user("monitor", "analyst"))) -> Response:  # noqa: B008
    """One visit, action first: the site, why it ranks here, what could not be checked and
    the review form; evidence, workers, history and reviews below, collapsed."""
    return _page(request, visit_id, user, saved=bool(request.query_params.get("saved")))


@router.post("/visits/{visit_id}/reviews")
def review(request: Request, visit_id: str, csrf: str = Form(""),  # noqa: B008
           status: str = Form(""), scheduled_for: str = Form(""),  # noqa: B008
           inspector: str = Form(""), outcome: str = Form(""),  # noqa: B008
           notes: str = Form(""),  # noqa: B008
           user: User = Depends(page_user("monitor"))) -> Response:  # noqa: B008
    """Record a review event and go back to the visit; with a problem, the form again (422)
    with what was typed and each problem beside its field."""
    check_csrf(request, csrf)
    checked = check_review(status=status, scheduled_for=scheduled_for, inspector=inspector,
                           outcome=outcome, notes=notes)
    if not checked.ok:
        return _page(request, visit_id, user, status=422, form=checked)
    try:
        record_review(request.app.state.services.engine, visit_id=visit_id, status=status,
                      reviewer=user, scheduled_for=checked.scheduled_for,
                      inspector=checked.value("inspector"), outcome=outcome or None,
                      notes=checked.value("notes"))
    except UnknownVisitError:
        raise WebError(404, "error_404", what=visit_id) from None
    except StoreError as exc:  # what the form's checks do not know about
        return _page(request, visit_id, user, status=422, form=checked, form_error=str(exc))
    return RedirectResponse(f"/visits/{quote(visit_id, safe='')}?saved=1#reviews",
                            status_code=303)


__all__ = ["router"]
