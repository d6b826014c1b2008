"""The web pages in a real browser (Debian's chromium, headless, driven by Playwright): sign in
as an inspector and upload a file with one bad row; sign in as a monitor, filter the list, record
an outcome and see it in the list; switch to Azerbaijani; an injected ``<script>`` in notes does
not run. Every page is screenshotted to ``out/screenshots/``.

Explicit waits only (``wait_for_selector``, ``wait_for_url``), never sleeps.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import threading
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'
_ids = itertools.count(1)


def bad_upload(folder: Path) -> tuple[Path, int, list[str]]:
    """``examples/visits.csv``'s header and 5 rows with new visit ids, one with sector
    ``mining``; the file, the bad row's spreadsheet row number and the 5 ids."""
    with (EXAMPLES / "visits.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(itertools.islice(reader, 5))
    batch = next(_ids)
    ids = [f"BT{batch:03d}-{i}" for i in range(1, 6)]
    for row, visit_id in zip(rows, ids, strict=True):
        row["visit_id"] = visit_id
    rows[2]["sector"] = "mining"  # data row 3 is spreadsheet row 4 (the header is row 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / f"visits-one-bad-row-{batch}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, 4, ids


def cells(row) -> list[str]:
    return [c.inner_text().strip() for c in row.query_selector_all("td")]


def records(page, table: str) -> list[dict[str, str]]:
    """A table's body rows as ``{header text: cell text}``."""
    headers = [th.inner_text().strip() for th in page.query_selector_all(f"{table} thead th")]
    return [dict(zip(headers, cells(row), strict=False))
            for row in page.query_selector_all(f"{table} tbody tr")]


def t(key: str, lang: str = "en") -> str:
    """A UI string as the pages show it (``screening.web.i18n``)."""
    from screening.web.i18n import translate

    return translate(lang, key)


def row_sector(row) -> str:
    """A list row's sector as shown: ``data-sector`` or ``td.sector`` when the row has them,
    else the middle of the visit cell's ``<small>region · sector · date</small>``."""
    value = row.get_attribute("data-sector")
    if value is None:
        cell = row.query_selector("td.sector")
        if cell is not None:
            value = cell.inner_text()
        else:
            small = row.query_selector("small")
            assert small is not None, f"no sector in the row: {row.inner_text()!r}"
            parts = [p.strip() for p in small.inner_text().split("·")]
            assert len(parts) == 3, parts
            value = parts[1]
    return value.strip()


def upload(page, path: Path) -> None:
    response = page.goto("/upload")
    assert response is not None and response.status == 200, response and response.status
    page.wait_for_selector("#upload-form")
    page.set_input_files('#upload-form input[name="file"]', str(path))
    page.click("#upload-submit")  # posted by upload.js (XMLHttpRequest), or by the form
    page.wait_for_selector("#receipt, #upload-error")


# -- the machinery, which works before the pages exist --------------------------------------

def test_smoke_index_and_docs(page, server, shot):
    """The server answers in the real browser: ``/`` and the API documentation, Swagger UI and
    ReDoc, which are served from the package (no CDN: the tests reach nothing else) and run
    under the Content-Security-Policy without a console error."""
    response = page.goto("/")
    assert response is not None and response.ok, response and response.status
    page.wait_for_selector("body")
    shot(page, "smoke-index", check=False)
    response = page.goto("/docs")
    assert response is not None and response.ok
    page.wait_for_selector(".swagger-ui .opblock-tag")
    assert page.locator(".opblock-summary-path", has_text="/api/v1/uploads").count() >= 1
    shot(page, "smoke-docs")
    response = page.goto("/redoc")
    assert response is not None and response.ok
    page.wait_for_selector("#redoc h1")
    assert "Forced-labour risk screening" in page.locator("#redoc h1").first.inner_text()
    shot(page, "smoke-redoc")


# -- the pages (issue 5) --------------------------------------------------------------------

def test_inspector_uploads_a_file_with_one_bad_row(web, page, sign_in, shot, tmp_path):
    path, bad_row, _ = bad_upload(tmp_path)
    sign_in(page, "inspector")
    assert page.url.endswith("/upload")
    upload(page, path)
    assert page.query_selector("#upload-error") is None, page.inner_text("#upload-error")
    receipt = page.wait_for_selector("#receipt")
    assert receipt.is_visible()
    assert page.inner_text("#new-visits").strip() == "4"
    assert page.inner_text("#rejected-count").strip() == "1"
    rejected = page.query_selector_all("#rejected-table tr.rejected-row")
    assert len(rejected) == 1, [r.inner_text() for r in rejected]
    assert rejected[0].get_attribute("data-row") == str(bad_row)
    problem = rejected[0].query_selector("li.problem")
    assert (problem.get_attribute("data-column"), problem.get_attribute("data-reason")) == (
        "sector", "unknown_choice")
    assert problem.query_selector("code.value").inner_text() == "mining"
    assert problem.query_selector(".reason").inner_text() == t("reason_unknown_choice")
    assert "mining" in problem.query_selector(".message").inner_text()
    link = page.wait_for_selector("#rejected-csv")
    download = page.request.get(link.get_attribute("href"))  # with the page's session
    assert download.ok and "mining" in download.text(), download.status
    assert page.wait_for_selector("#new-tiers").is_visible()
    shot(page, "upload-receipt")


def test_monitor_filters_opens_a_visit_and_records_an_outcome(web, page, sign_in, shot):
    sign_in(page, "monitor")
    page.wait_for_selector("#follow-up tr.visit-row")
    shot(page, "list")
    page.select_option('#filters select[name="sector"]', "agriculture")
    with page.expect_navigation():
        page.click("#apply-filters")
    page.wait_for_url("**sector=agriculture*")
    rows = page.query_selector_all("#follow-up tr.visit-row")
    assert rows, "no agriculture visits listed"
    for row in rows:
        assert row_sector(row) == t("sector_agriculture"), row.inner_text()
    filtered = page.url
    shot(page, "list-filtered")

    visit_id = rows[0].get_attribute("data-visit-id")
    assert visit_id
    with page.expect_navigation():
        rows[0].query_selector("a.visit-link").click()
    page.wait_for_url(f"**/visits/{visit_id}*")
    page.wait_for_selector("#review-form")
    page.select_option('#review-form select[name="status"]', "decided")
    page.select_option('#review-form select[name="outcome"]', "forced_labour")
    notes = f"Browser test: decided for {visit_id}."
    page.fill('#review-form textarea[name="notes"]', notes)
    with page.expect_navigation():
        page.click("#review-submit")
    page.wait_for_url(f"**/visits/{visit_id}*")
    page.wait_for_selector(f'#reviews:has-text("{notes}")')
    shot(page, "visit-detail")

    page.goto(filtered)
    row = page.wait_for_selector(f'#follow-up tr.visit-row[data-visit-id="{visit_id}"]')
    status = row.query_selector("td.status")
    assert status.inner_text().strip() == t("status_decided")
    assert status.get_attribute("data-status") in (None, "decided")


def test_azerbaijani_is_translated_and_persists(web, page, sign_in, shot):
    sign_in(page, "monitor")
    page.goto("/list")
    page.wait_for_selector("#follow-up")
    english = page.inner_text("h1").strip()
    assert page.get_attribute("html", "lang") in (None, "en")
    with page.expect_navigation():
        page.click("a#lang-az")
    page.wait_for_selector('html[lang="az"]')
    page.wait_for_selector("#follow-up")
    azerbaijani = page.inner_text("h1").strip()
    assert english == t("list_title")
    assert azerbaijani == t("list_title", "az") != english
    shot(page, "list-az")
    page.goto("/indicators")  # another page: the choice persists
    page.wait_for_selector('html[lang="az"]')
    page.goto("/list")
    page.wait_for_selector('html[lang="az"]')
    assert page.inner_text("h1").strip() == azerbaijani
    with page.expect_navigation():
        page.click("a#lang-en")
    page.wait_for_selector('html[lang="en"]')
    assert page.inner_text("h1").strip() == english


def test_script_in_notes_does_not_run(web, page, sign_in, shot):
    sign_in(page, "monitor")
    page.wait_for_selector("#follow-up tr.visit-row")
    rows = page.query_selector_all("#follow-up tr.visit-row")
    row = rows[1] if len(rows) > 1 else rows[0]
    visit_id = row.get_attribute("data-visit-id")
    page.goto(f"/visits/{visit_id}")
    page.wait_for_selector("#review-form")
    page.select_option('#review-form select[name="status"]', "visited")
    page.fill('#review-form textarea[name="notes"]', XSS)
    with page.expect_navigation():
        page.click("#review-submit")
    page.wait_for_url(f"**/visits/{visit_id}*")
    page.wait_for_selector('#reviews:has-text("window.__xss")')
    page.reload()
    page.wait_for_selector('#reviews:has-text("window.__xss")')
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss = 1</script>" in page.inner_text("#reviews")
    assert page.locator("#reviews script").count() == 0
    assert page.locator('#reviews img[src="x"]').count() == 0
    shot(page, "visit-detail-xss")


@pytest.mark.parametrize("role, path, selector, name", [
    (None, "/sign-in", "#password", "sign-in"),
    ("inspector", "/upload", "#upload-form", "upload"),
    ("analyst", "/indicators", "h1", "indicators"),
    ("analyst", "/model", "h1", "model"),
    ("monitor", "/dashboard", "h1", "dashboard"),
])
def test_screenshot_of_every_page(web, page, sign_in, shot, role, path, selector, name):
    """The pages the flows above do not screenshot (those do: upload-receipt, list,
    list-filtered, visit-detail, list-az)."""
    if role is not None:
        sign_in(page, role)
    response = page.goto(path)
    assert response is not None and response.status == 200, response and response.status
    page.wait_for_selector(selector)
    shot(page, name)


# -- the referral duty (issue 10) -----------------------------------------------------------

def icls_upload(folder: Path) -> tuple[Path, Path, str]:
    """One visit and two interviews; worker W1 was deceived about the job and threatened, so
    they meet the ICLS test and the visit is urgent. The files and the visit id."""
    visit_id = f"REF{next(_ids):03d}"
    visits = folder / f"visits-{visit_id}.csv"
    visits.write_text(
        "visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,"
        "workers_without_contract,foreign_workers,foreign_workers_without_permit,minors_present\n"
        f"{visit_id},S-{visit_id},2026-11-30,I1,Baku,construction,12,0,3,0,0\n",
        encoding="utf-8")
    interviews = folder / f"interviews-{visit_id}.csv"
    interviews.write_text(
        "visit_id,worker_ref,age,foreign,deceived_about_job,threatened\n"
        f"{visit_id},W1,31,true,true,true\n{visit_id},W2,40,false,false,false\n",
        encoding="utf-8")
    return visits, interviews, visit_id


def test_an_icls_positive_worker_opens_a_case_the_monitor_refers_it(
        web, page, sign_in, shot, tmp_path, server):
    """An upload with an ICLS-positive worker opens a referral case; the monitor sees it in
    the queue with its clock, records the referral, and the case closes."""
    visits, interviews, visit_id = icls_upload(tmp_path)
    sign_in(page, "inspector")
    page.goto("/upload")
    page.wait_for_selector("#upload-form")
    page.set_input_files('#upload-form input[name="file"]', str(visits))
    page.set_input_files('#upload-form input[name="interviews"]', str(interviews))
    page.click("#upload-submit")
    page.wait_for_selector("#receipt")
    urgent = page.inner_text(f'#urgent-visits li[data-visit="{visit_id}"]')
    assert "referral case" in urgent  # each urgent visit names the case opened for it
    shot(page, "upload-receipt-referral")
    with page.expect_navigation():
        page.click("#sign-out")

    sign_in(page, "monitor")
    page.goto("/referrals")
    row = page.wait_for_selector(f'#referral-queue tr[data-visit-id="{visit_id}"]')
    assert row.get_attribute("data-status") == "open"
    clock = row.query_selector("td.clock").inner_text()
    assert re.fullmatch(r"2[34]h \d\dm left", clock.strip()), clock
    assert "W1" in row.inner_text() and "W2" not in row.inner_text()
    assert t("rcp_migration_service") in row.inner_text()  # a foreign worker is concerned
    shot(page, "referral-queue")
    with page.expect_navigation():
        row.query_selector("a.case-link").click()
    page.wait_for_selector("#record-form")
    page.check("#status-referred")
    page.select_option("#recipient", "special_police")
    page.select_option("#channel", "phone")
    page.fill("#reference", "MIA-2026-0101")
    page.fill("#case-notes", "Duty officer informed by phone.")
    with page.expect_navigation():
        page.click("#record-submit")
    page.wait_for_selector("#record-saved")
    assert page.get_attribute("#case-status", "data-status") == "referred"
    assert page.locator("#history-table tr.version").count() == 2
    assert "MIA-2026-0101" in page.inner_text("#history-table")
    shot(page, "referral-case")
    page.goto("/referrals?status=open")
    page.wait_for_selector("#referral-queue, #no-cases")
    assert page.locator(f'tr[data-visit-id="{visit_id}"]').count() == 0
    page.goto("/referrals?status=referred")
    closed = page.wait_for_selector(f'tr[data-visit-id="{visit_id}"]')
    assert closed.query_selector("td.clock").inner_text().strip() == t("closed")


def test_with_the_clock_moved_on_a_case_is_overdue_and_the_webhook_hears_it(
        web, page, sign_in, shot, server):
    """Moved on 25 hours by the test setting, an open case shows as overdue on the dashboard,
    and the notifier delivers its overdue event to a local webhook."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from screening.service.notifier import run_once

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=hook.serve_forever, daemon=True)
    thread.start()
    services = server["app"].state.services
    before = services.settings
    services.settings = before.replace(
        clock_shift_hours=25,
        notify_webhook_url=f"http://127.0.0.1:{hook.server_address[1]}/hook")
    try:
        sign_in(page, "monitor")
        page.goto("/dashboard")
        figure = page.wait_for_selector("#fig-overdue")
        assert figure.get_attribute("class") == "overdue"
        overdue = int(re.search(r"\d+", figure.inner_text()).group())
        assert overdue >= 1
        shot(page, "dashboard-overdue")
        page.goto("/referrals?overdue=1")
        page.wait_for_selector("#referral-queue tr.referral-row.overdue")
        assert "OVERDUE by" in page.inner_text("#referral-queue")
        result = run_once(services)
        assert result.failed == 0 and result.overdue_events == overdue
        late = [e for e in received if e["kind"] == "case_overdue"]
        assert len(late) == overdue and all("OVERDUE" in e["summary"] for e in late)
    finally:
        services.settings = before
        hook.shutdown()
        hook.server_close()
