"""Browser journeys: Playwright drives Debian's Chromium against a live server; axe-core checks
every page a journey visits for WCAG 2.x A and AA violations.

Without Chromium these tests skip with the reason, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free local port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium is not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


class Journey:
    """A page in a browser that checks accessibility of every page it lands on."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("load", lambda: self.visited.append(page.url))

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.assert_accessible()

    def assert_accessible(self) -> None:
        """Run axe-core on the current page; fail on any WCAG A/AA violation."""
        self.page.wait_for_load_state()
        violations = self.page.evaluate(
            "options => axe.run(document, options).then(results => results.violations)",
            {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"{self.page.url}:\n" + "\n".join(details)
        self.checked.add(self.page.url)

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the form (signing out whoever was signed in), checking each page."""
        self.page.context.clear_cookies()
        self.goto("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("main input[type=submit]")
        self.assert_accessible()

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def focused(self) -> dict:
        return self.page.evaluate(
            "() => { const e = document.activeElement;"
            " const text = (e.tagName === 'INPUT' ? e.value : e.textContent) || '';"
            " return {tag: e.tagName.toLowerCase(), id: e.id,"
            " text: text.replace(/\\s+/g, ' ').trim(), name: e.getAttribute('name')}; }"
        )

    def tab_to(self, *, id: str | None = None, text: str | None = None, limit: int = 60) -> None:
        """Press Tab until the element with this id (or visible text) has focus."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            now = self.focused()
            if (id is not None and now["id"] == id) or (text is not None and now["text"] == text):
                return
        raise AssertionError(f"could not reach {id or text!r} with the Tab key")

    def type_into(self, id: str, value: str) -> None:
        """Tab to a text field and type, as a keyboard user would."""
        self.tab_to(id=id)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)

    def press_enter_and_check(self) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.assert_accessible()


@pytest.fixture
def journey(browser, live_server, app, monkeypatch) -> Iterator[Journey]:
    """A fresh browser context on the live server, with CSRF protection on, as in production."""
    from axe_playwright_python.base import AXE_SCRIPT

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    context = browser.new_context()
    # axe-core comes with every page the context opens: sending its half a megabyte of script
    # to the page before each check cost about 50 ms a page.
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    trip = Journey(page, live_server)
    yield trip
    unchecked = [url for url in trip.visited if url not in trip.checked]
    context.close()
    assert not unchecked, f"pages visited without an accessibility check: {unchecked}"
