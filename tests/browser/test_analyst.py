"""The analyst in a real browser: after a drifted upload and some decided follow-ups, the
model page and the dashboard warn of drift naming the column, and the performance page shows
how the list did."""

from __future__ import annotations

import pytest

from tests.browser.conftest import TIMEOUT_MS, serving
from tests.modelkit import csv_bytes, small_model


@pytest.fixture(scope="module")
def drifted_server(tmp_path_factory):
    from screening.app import create_app
    from screening.datasets.synthetic import generate
    from screening.service.uploads import UploadedFile, accept_upload
    from screening.settings import Settings
    from screening.store import create_user, record_review, transaction

    folder = tmp_path_factory.mktemp("analyst")
    small_model(folder / "models", "small", visits=5_000, prevalence=0.04)
    app = create_app(Settings(data_dir=folder / "store", models_dir=folder / "models",
                              active_model="small"))
    services = app.state.services
    inspector, _ = create_user(services.engine, "inspector", "inspector")
    _, token = create_user(services.engine, "analyst", "analyst")
    fresh = generate(600, seed=21, prevalence=0.08)
    visits = fresh.visits.copy()
    visits["visit_date"] = "2030-03-10"
    visits["avg_weekly_hours"] = (visits["avg_weekly_hours"] + 25).clip(upper=168)
    accept_upload(services, inspector, UploadedFile("march.csv", csv_bytes(visits)),
                  UploadedFile("march-interviews.csv", csv_bytes(fresh.interviews)))
    with transaction(services.engine) as session:
        for visit_id, outcome in fresh.outcomes.head(120)[["visit_id", "outcome"]].itertuples(
                index=False):
            record_review(session, visit_id=visit_id, status="decided", outcome=outcome)
    with serving(app) as url:
        yield url, token


def test_the_analyst_sees_live_performance_and_a_drift_warning(browser, drifted_server, shot):
    url, token = drifted_server
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.broken = []
    try:
        page.goto("/sign-in?with=token")  # the token form (the user has no password)
        page.fill("#token", token)
        with page.expect_navigation():
            page.click("#sign-in")
        page.wait_for_selector("#sign-out")
        page.goto("/model")
        warning = page.locator("#drift-warning")
        assert warning.is_visible() and "avg_weekly_hours" in warning.inner_text()
        shot(page, "analyst-model-drift")
        page.goto("/dashboard")
        assert "avg_weekly_hours" in page.locator("#drift-warning").inner_text()
        page.click("a[href='/performance']")
        page.wait_for_selector("#perf-tier")
        assert "120 decided visits" in page.locator("#perf-intro").inner_text()
        rows = page.locator("#perf-tier tbody tr")
        assert rows.count() >= 2
        shot(page, "analyst-performance")
    finally:
        context.close()
