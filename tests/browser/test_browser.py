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
    assert page.inner_text("#accepted-visits").strip() == "4"
    assert page.inner_text("#rejected-count").strip() == "1"
    rejected = records(page, "#rejected-table")
    assert len(rejected) == 1, rejected
    bad = {key: rejected[0].get(t(f"col_{key}")) for key in
           ("row", "column", "value", "reason", "message")}
    assert (bad["row"], bad["column"], bad["value"]) == (str(bad_row), "sector", "mining"), bad
    assert bad["reason"] == "unknown_choice", bad
    assert "mining" in bad["message"], bad
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
    (None, "/sign-in", "#token", "sign-in"),
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
