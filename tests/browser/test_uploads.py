"""Issue 12's upload pages in a real browser (Debian's chromium, headless, Playwright):
correcting a partly rejected file end to end, the Azerbaijani receipt, and the receipt on a
phone (390 x 844). Screenshots go to ``out/screenshots/uploads/`` (``SCREENING_UPLOAD_SCREENSHOTS``
names another folder) and to ``out/screenshots/``.

Explicit waits only (``wait_for_selector``, ``expect_download``), never sleeps.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.uploadkit import BAD_INTERVIEWS, quoted_case

FOLDER = Path(os.environ.get("SCREENING_UPLOAD_SCREENSHOTS") or SCREENSHOTS / "uploads")
UPLOAD_TIMEOUT_MS = 120_000


@pytest.fixture
def folder() -> Path:
    FOLDER.mkdir(parents=True, exist_ok=True)
    return FOLDER


def snap(page, shot, folder: Path, name: str) -> Path:
    """A full-page screenshot to the uploads folder (and ``out/screenshots/`` through
    ``shot``, which also fails on a resource that did not load or a console error)."""
    shot(page, f"uploads-{name}")
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def write_case(tmp_path: Path, prefix: str):
    case = quoted_case(prefix)
    paths = {}
    for name, content in (("visits-bad.csv", case.visits_bad),
                          ("visits-fixed.csv", case.visits_fixed),
                          ("interviews.csv", case.interviews)):
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    return case, paths


def send(page, visits: Path, interviews: Path, *, correction: bool = False) -> None:
    """Fill the upload form and send it (upload.js posts it and shows the receipt)."""
    response = page.goto("/upload")
    assert response is not None and response.status == 200
    page.wait_for_selector("#upload-form")
    page.set_input_files("#file", str(visits))
    page.set_input_files("#interviews", str(interviews))
    if correction:
        page.check("#correction")
    page.click("#upload-submit")
    # an upload is read in a worker process and screened: on a loaded machine that takes
    # longer than one page's wait
    page.wait_for_selector("#receipt, #upload-error", timeout=UPLOAD_TIMEOUT_MS)
    assert page.query_selector("#upload-error") is None, page.inner_text("#upload-error")


def download(page, selector: str) -> str:
    """Click a download link; the file's text. (A download ends the navigation it started,
    which the browser reports as a failed request: not a resource that did not load.)"""
    with page.expect_download() as caught:
        page.click(selector)
    href = page.get_attribute(selector, "href")
    page.broken[:] = [b for b in page.broken if not (b.startswith("failed") and href in b)]
    return Path(caught.value.path()).read_text(encoding="utf-8-sig")


def count(page, element: str) -> int:
    return int(page.inner_text(element).strip().replace(",", "").replace(".", ""))


def test_correcting_a_partly_rejected_file_in_the_browser(web, page, sign_in, shot, folder,
                                                          tmp_path):
    """Upload 8 bad and 17 good visits with interviews; download the file with the errors
    marked; upload the fixed file as a correction: 0 rejected, 17 unchanged, 8 new; both
    receipts are in My uploads."""
    case, paths = write_case(tmp_path, "BR")
    sign_in(page, "inspector")
    send(page, paths["visits-bad.csv"], paths["interviews.csv"])
    assert count(page, "#rejected-count") == 38 and count(page, "#new-visits") == 17
    lines = page.query_selector_all("#rejected-table tr.rejected-row")
    assert len(lines) == 8, "one line per bad visit, its interviews folded in"
    folded = [int(e.get_attribute("data-interviews"))
              for e in page.query_selector_all("#rejected-table p.folded")]
    assert folded == list(BAD_INTERVIEWS)
    first = lines[0]
    assert "not an allowed value" in first.inner_text()
    assert "'mining' is not an allowed sector" in first.inner_text()
    urgent = page.query_selector_all("#urgent-visits li.urgent-visit")
    assert [u.get_attribute("data-visit") for u in urgent] == [case.urgent_id]
    snap(page, shot, folder, "receipt-partly-rejected")

    rows = list(csv.reader(io.StringIO(download(page, "#marked-visits"))))
    assert rows[0][-1] == "upload_errors" and rows[1][-1].startswith("'mining' is not")
    assert sum(1 for r in rows[1:] if r[-1]) == 8

    send(page, paths["visits-fixed.csv"], paths["interviews.csv"], correction=True)
    assert (count(page, "#rejected-count"), count(page, "#unchanged-visits"),
            count(page, "#new-visits"), count(page, "#corrected-visits")) == (0, 17, 8, 0)
    assert page.is_visible("#rejected-none") and page.is_visible("#correction-badge")
    snap(page, shot, folder, "receipt-corrected")

    with page.expect_navigation():
        page.click("#nav-my-uploads")
    page.wait_for_selector("#uploads-table")
    uploads = page.query_selector_all("#uploads-table tr.upload-row")
    assert len(uploads) >= 2
    newest, earlier = uploads[0].inner_text(), uploads[1].inner_text()
    assert "8 new · 0 corrected · 17 unchanged visits · 0 rows rejected" in newest
    assert "17 new · 0 corrected · 0 unchanged visits · 38 rows rejected" in earlier
    assert case.urgent_id in earlier
    snap(page, shot, folder, "my-uploads")
    with page.expect_navigation():
        uploads[1].query_selector("a.receipt-link").click()
    page.wait_for_selector("#receipt")
    assert len(page.query_selector_all("#rejected-table tr.rejected-row")) == 8


def test_the_azerbaijani_receipt(web, page, sign_in, shot, folder, tmp_path):
    case, paths = write_case(tmp_path, "BZ")
    sign_in(page, "inspector")
    with page.expect_navigation():
        page.click("a#lang-az")
    page.wait_for_selector('html[lang="az"]')
    page.goto("/upload")
    assert page.inner_text('label[for="correction"]') == (
        "Bu fayl əvvəl yüklədiyim yoxlamaları düzəldir")
    send(page, paths["visits-bad.csv"], paths["interviews.csv"])
    receipt = page.inner_text("#receipt")
    for words in ("Yeni yoxlamalar", "Dəyişməmiş yoxlamalar", "1 yoxlama təcili oldu",
                  "icazə verilən dəyər deyil",
                  "'mining' icazə verilən sector dəyəri deyil",
                  "… və onun 4 müsahibəsi (müsahibələr, sətirlər 2–5) də onunla birlikdə "
                  "kənarda qaldı.",
                  "Səhvləri işarələnmiş faylımı endir (visits-bad.csv)"):
        assert words in receipt, words
    for english in ("is not an allowed", "and its", "rows rejected", "became urgent",
                    "Download", "New visits"):
        assert english not in receipt, english
    snap(page, shot, folder, "receipt-az")
    marked = download(page, "#marked-interviews")
    assert f"'{case.bad_ids[0]}' yoxlaması rədd edilib (yoxlamalar, sətir 2)" in marked


def test_the_receipt_on_a_phone(web, phone, sign_in, shot, folder, tmp_path):
    """On a 390 x 844 screen every rejected row is a card: the message is on screen, nothing
    scrolls sideways."""
    _, paths = write_case(tmp_path, "BP")
    sign_in(phone, "inspector")
    send(phone, paths["visits-bad.csv"], paths["interviews.csv"])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the receipt scrolls sideways: {width} px"
    for message in phone.query_selector_all("#rejected-table .message"):
        box = message.bounding_box()
        assert box is not None and box["x"] >= 0, message.inner_text()
        assert box["x"] + box["width"] <= PHONE["width"] + 0.5, message.inner_text()
    first = phone.query_selector("#rejected-table tr.rejected-row")
    label = phone.evaluate(
        "e => getComputedStyle(e.querySelector('td.problems-cell'), '::before').content", first)
    assert "What is wrong" in label, "each card names its fields"
    assert phone.query_selector("#rejected-table thead").bounding_box()["height"] <= 1
    snap(phone, shot, folder, "receipt-phone")
    phone.click("#menu-toggle")  # on a phone the menu is folded behind a button
    phone.click("#nav-my-uploads")
    phone.wait_for_selector("#uploads-table")
    phone.wait_for_load_state("load")  # the style sheets too: measured before them, it is wide
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(phone, shot, folder, "my-uploads-phone")
