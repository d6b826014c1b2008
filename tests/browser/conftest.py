"""Real-browser fixtures: the app served by uvicorn on a free localhost port, and Debian's
system Chromium driven by Playwright (never a browser downloaded by Playwright).

The service runs on a fresh SQLite store seeded like ``make run`` (one demo user per role and
the examples uploaded). Each test gets its own browser context (fresh cookies), and requests
to anything but the local server are refused, so the tests never touch the network.

Skips, each with its reason in pytest's ``-ra`` summary: Playwright not installed,
``/usr/bin/chromium`` missing (``make test`` installs it when it can; ``SCREENING_TEST_CHROMIUM``
names another one), and, for the page tests, the ``screening.web`` package not there yet.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SCREENING_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "out" / "screenshots"
TIMEOUT_MS = 15_000  # for any one wait in the browser; a test stays well under 20 s


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[dict]:
    """The app on ``http://127.0.0.1:<free port>``: ``{"url", "tokens", "accounts", "app"}``
    (``accounts``: the demo users by role, with their names and passwords)."""
    from screening.app import create_app
    from screening.service.demo import seed_demo_accounts
    from screening.settings import Settings

    folder = tmp_path_factory.mktemp("browser-store")
    app = create_app(Settings(data_dir=folder))
    accounts = seed_demo_accounts(app.state.services)
    tokens = {role: account.token for role, account in accounts.items()}
    with serving(app) as url:
        yield {"url": url, "tokens": tokens, "accounts": accounts, "app": app}


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` on a free local port in a thread; yields its URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="browser-test-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:  # wait until it answers
        try:
            with urllib.request.urlopen(url + "/openapi.json", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            uv.should_exit = True
            pytest.fail(f"the test server did not answer at {url}")
        time.sleep(0.05)
    try:
        yield url
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium, launched once for the session."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make test does, as "
                    "root with apt-get) to run the browser tests")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


PHONE = {"width": 390, "height": 844}
"""The phone screen of issue 12's trial (CSS pixels)."""


def _open(browser, server, **options):  # noqa: ANN001, ANN202 - Playwright objects
    """A fresh context and page on the test server (nothing else is reachable); ``page.broken``
    collects local sub-resources that failed to load, console and script errors."""
    context = browser.new_context(base_url=server["url"], **options)
    context.set_default_timeout(TIMEOUT_MS)
    local = server["url"]

    def only_local(route) -> None:
        if route.request.url.startswith(local):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.broken = []

    def check(response) -> None:
        request = response.request
        if (response.status >= 400 and request.resource_type != "document"
                and request.url.startswith(local)):
            page.broken.append(f"{response.status} {request.url}")

    page.on("response", check)
    page.on("requestfailed", lambda r: r.url.startswith(local)
            and page.broken.append(f"failed {r.url}"))
    page.on("console", lambda m: m.type == "error"
            and page.broken.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.broken.append(f"script error: {e}"))
    return page


@pytest.fixture
def page(browser, server):
    """A page on a 1280 x 900 laptop screen."""
    page = _open(browser, server, viewport={"width": 1280, "height": 900})
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, server):
    """A page on a 390 x 844 phone screen (touch, mobile)."""
    page = _open(browser, server, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                 has_touch=True)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def web() -> None:
    """Skip the page tests while the web pages (``screening.web``) do not exist yet."""
    if importlib.util.find_spec("screening.web") is None:
        pytest.skip("screening.web does not exist yet: the web pages are not built")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def shot(screenshots):
    """``shot(page, name)``: a full-page screenshot to ``out/screenshots/<name>.png``; it
    fails if a local style sheet, script or image did not load or the console showed an error
    (a Content-Security-Policy violation, say) on the way (unless ``check=False``)."""

    def take(page, name: str, check: bool = True) -> Path:
        page.wait_for_load_state("load")
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert not (check and page.broken), f"{name}: not loaded: {page.broken}"
        return path

    return take


@pytest.fixture
def sign_in(server):
    """``sign_in(page, role)``: sign in through the form with the role's demo user name and
    password."""

    def go(page, role: str) -> None:
        response = page.goto("/sign-in")
        assert response is not None and response.status == 200, \
            f"/sign-in answered {response and response.status}"
        page.wait_for_selector("#password")
        account = server["accounts"][role]
        page.fill("#name", account.name)
        page.fill("#password", account.password)
        with page.expect_navigation():
            page.click("#sign-in")
        landing = {"inspector": "/upload", "monitor": "/list"}.get(role)
        if landing:
            page.wait_for_url(f"**{landing}*")
        page.wait_for_selector("#sign-out", state="attached")  # folded in the menu on a phone

    return go
