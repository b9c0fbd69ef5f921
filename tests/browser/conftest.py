"""Browser tests: the app served on a local port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REQUIRE_BROWSER = os.environ.get("HOTLINE_REQUIRE_BROWSER", "") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"


def chromium_path() -> str | None:
    return os.environ.get("HOTLINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's package), or a skip/failure when there is none."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        path = None
    if path is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium and Playwright are required (HOTLINE_REQUIRE_BROWSER=1) but missing")
        pytest.skip("no Chromium or Playwright here (apt-get install chromium; pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served over real HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (laptop size) with the app's base URL as `page.base`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    opened = context.new_page()
    opened.base = live_server
    yield opened
    context.close()


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """Browser tests run on SQLite only: the pages are the same on both databases."""
    path = tmp_path / "hotline.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"
