"""Accessibility in a real browser (issue 12): axe-core on every page for each role, at a
laptop's and a phone's size, in English and Azerbaijani, with no serious or critical violation;
the first visit on the follow-up list a few Tab presses away; screenshots of the sign-in form
and the menu on a phone.

axe-core comes inside the ``axe-playwright-python`` package (``axe.min.js``, injected into the
page by Playwright): nothing is downloaded when the tests run.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, TIMEOUT_MS

PATIENCE_MS = 4 * TIMEOUT_MS
"""For one wait here: these tests load every page, some of them long (the catalogue, the
dashboard's charts), one after another; on a busy machine one load can pass 15 s."""
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}
SHOTS = SCREENSHOTS / "access"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# the pages of each role (admin sees them all); "receipt" is the upload form after an upload.
# The pages that are the same for every role but the menu (the catalogue, the column guide, the
# 404 page) are checked as admin, whose menu is the longest; the menu of each role is checked
# on each of its other pages.
SHARED = ["/indicators", "/guide", "/no-such-page"]
PAGES = {
    "inspector": ["/upload", "receipt"],
    "monitor": ["/list", "/visits/V0000001", "/referrals", "/referrals/1", "/dashboard",
                "/statistics", "/performance"],
    "analyst": ["/list", "/visits/V0000001", "/dashboard", "/performance", "/model"],
}
PAGES["admin"] = sorted(set(itertools.chain(*PAGES.values())), key=lambda p: (p[0] != "/", p))
PAGES["admin"] += SHARED
_uploads = itertools.count(1)


@pytest.fixture(scope="session")
def axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed")
    return module.Axe()


def open_page(browser, server, size: str, lang: str):
    """A fresh context at ``size`` in ``lang`` that reaches only the test server."""
    context = browser.new_context(base_url=server["url"], viewport=SIZES[size],
                                  device_scale_factor=2 if size == "phone" else 1,
                                  has_touch=size == "phone")
    context.set_default_timeout(PATIENCE_MS)
    context.set_default_navigation_timeout(PATIENCE_MS)
    context.add_cookies([{"name": "screening_lang", "value": lang, "url": server["url"]}])
    local = server["url"]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local)
                  else route.abort())
    return context.new_page()


def sign_in(page, server, role: str) -> None:
    page.goto("/sign-in")
    account = server["accounts"][role]
    page.fill("#name", account.name)
    page.fill("#password", account.password)
    with page.expect_navigation():
        page.click("#sign-in")
    page.wait_for_selector("#sign-out", state="attached")  # on a phone, inside the menu


def upload_receipt(page, folder: Path) -> None:
    """Upload the first example visits under new ids, so the receipt is a new one."""
    lines = (EXAMPLES / "visits.csv").read_text(encoding="utf-8").splitlines()
    n = next(_uploads)
    rows = [line.replace("V0000", f"AX{n:02d}-", 1) for line in lines[1:4]]
    path = folder / f"visits-access-{n}.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    page.goto("/upload")
    page.set_input_files('#upload-form input[name="file"]', str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#receipt")


def blocking(axe, page, *, contrast: bool) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each.

    ``contrast``: run axe's colour-contrast rule too. It is by far its slowest (most of the
    time on a long page) and its answer depends only on the colours, which are the same at
    every screen size (``test_contrast.py`` checks that no ``@media`` rule sets a colour) and
    in every language: it runs at the laptop size in English, and ``test_contrast.py``
    computes every pair of the stylesheet as well.
    """
    options: dict = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    results = axe.run(page, options=options).response
    return [f"{v['impact']} {v['id']}: {v['help']} — "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang", ["en", "az"])
@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("role", [None, *PAGES], ids=["anonymous", *PAGES])
def test_no_serious_accessibility_violation_on_any_page(browser, server, axe, tmp_path, role,
                                                       size, lang):
    page = open_page(browser, server, size, lang)
    contrast = (size, lang) == ("laptop", "en")
    found: dict[str, list[str]] = {}
    try:
        if role is None:
            for path in ("/sign-in", "/sign-in?with=token", "/", "/no-such-page"):
                page.goto(path)
                found[path] = blocking(axe, page, contrast=contrast)
        else:
            sign_in(page, server, role)
            for path in PAGES[role]:
                if path == "receipt":
                    upload_receipt(page, tmp_path)
                else:
                    response = page.goto(path)
                    assert response is not None and response.status in (200, 404), (
                        path, response and response.status)
                found[path] = blocking(axe, page, contrast=contrast)
    finally:
        page.context.close()
    problems = {path: lines for path, lines in found.items() if lines}
    assert not problems, "\n".join(f"{path}: {line}" for path, lines in problems.items()
                                   for line in lines)


def tabs_to(page, selector: str, *, use_skip_link: bool, limit: int = 80) -> int:
    """Tab presses from a freshly loaded page until ``selector`` has the focus (Enter on the
    skip link on the way when ``use_skip_link``)."""
    page.locator("body").focus()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.matches(arguments[0])"
                                .replace("arguments[0]", repr(selector)))
        if focused:
            return presses
        if use_skip_link and page.evaluate("document.activeElement.classList.contains('skip')"):
            page.keyboard.press("Enter")
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_the_first_visit_is_two_tab_presses_away(browser, server):
    """Issue 12 counted 26 Tab presses to the first visit of the list. The skip link is the
    first Tab stop and jumps to the list: the first visit is the next one."""
    page = open_page(browser, server, "laptop", "en")
    try:
        sign_in(page, server, "monitor")
        page.goto("/list")
        first = page.locator("a.visit-link").first.inner_text()
        assert tabs_to(page, "a.visit-link", use_skip_link=True) == 2
        assert page.evaluate("document.activeElement.textContent") == first
        page.goto("/list")
        without = tabs_to(page, "a.visit-link", use_skip_link=False)
        assert without > 10, "without the skip link the menu and the filters come first"
        page.goto("/list")
        page.keyboard.press("Tab")
        skip = page.locator(".skip")
        assert skip.evaluate("e => e === document.activeElement")
        box = skip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["width"] > 50, "visible when focused"
    finally:
        page.context.close()


def test_the_menu_marks_the_current_page_in_the_browser(browser, server):
    page = open_page(browser, server, "laptop", "en")
    try:
        sign_in(page, server, "monitor")
        page.goto("/visits/V0000001")
        current = page.locator('.main-nav a[aria-current="page"]')
        assert current.count() == 1 and current.get_attribute("href") == "/list"
        style = current.evaluate("e => [getComputedStyle(e).fontWeight, "
                                 "getComputedStyle(e).borderBottomWidth]")
        other = page.locator('.main-nav a[href="/dashboard"]').evaluate(
            "e => [getComputedStyle(e).fontWeight, getComputedStyle(e).borderBottomWidth]")
        assert style == ["700", "3px"] and other != style
    finally:
        page.context.close()


def test_the_menu_folds_behind_a_button_on_a_phone(browser, server):
    page = open_page(browser, server, "phone", "en")
    try:
        sign_in(page, server, "monitor")
        page.goto("/list")
        toggle = page.locator("#menu-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator(".main-nav").is_visible()
        header = page.locator("header.top").bounding_box()
        assert header is not None and header["height"] < 90, f"{header['height']}px high"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        current = page.locator('.main-nav a[aria-current="page"]')
        assert current.is_visible() and current.get_attribute("href") == "/list"
        assert page.locator("#sign-out").is_visible()
        for link in page.locator(".main-nav a").all():
            assert link.bounding_box()["height"] >= 44, "a finger-sized target"
        current.focus()
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.evaluate("e => e === document.activeElement")
        laptop = open_page(browser, server, "laptop", "en")
        try:
            sign_in(laptop, server, "monitor")
            assert not laptop.locator("#menu-toggle").is_visible()
            assert laptop.locator(".main-nav").is_visible()
        finally:
            laptop.context.close()
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "az"])
def test_screenshots_of_sign_in_and_the_menu_on_a_phone(browser, server, lang):
    """For people to look at: /work/screenshots/access/ (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, server, "phone", lang)
    try:
        page.goto("/sign-in")
        page.screenshot(path=str(SHOTS / f"phone-sign-in-{lang}.png"), full_page=True)
        page.fill("#name", "demo-monitor")
        page.fill("#password", "not the password at all")
        with page.expect_navigation():
            page.click("#sign-in")
        assert page.locator("#sign-in-error").is_visible()
        page.screenshot(path=str(SHOTS / f"phone-sign-in-wrong-{lang}.png"), full_page=True)
        sign_in(page, server, "monitor")
        page.goto("/list")
        page.screenshot(path=str(SHOTS / f"phone-list-menu-closed-{lang}.png"))
        page.click("#menu-toggle")
        page.screenshot(path=str(SHOTS / f"phone-list-menu-open-{lang}.png"))
        page.goto("/list")
        page.keyboard.press("Tab")
        page.screenshot(path=str(SHOTS / f"phone-skip-link-{lang}.png"))
        page.goto("/no-such-page")
        page.screenshot(path=str(SHOTS / f"phone-404-{lang}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES["phone"]["width"], f"the 404 page scrolls sideways ({width}px)"
    finally:
        page.context.close()
    laptop = open_page(browser, server, "laptop", lang)
    try:
        sign_in(laptop, server, "monitor")
        laptop.goto("/visits/V0000001")
        laptop.screenshot(path=str(SHOTS / f"laptop-menu-current-{lang}.png"),
                          clip={"x": 0, "y": 0, "width": 1280, "height": 160})
    finally:
        laptop.context.close()
