"""Headless Chromium for the browser tests, and a live server ready to take victims' reports.

The browser is Debian's /usr/bin/chromium driven by Playwright (never `playwright install`: CI and
this machine have no network for it). Without that binary, or without Playwright, the tests skip
and say why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import LiveServer
from tests.fixtures.cases import seed

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Debian's Chromium; HAECHI_TEST_CHROMIUM points elsewhere (e.g. on a developer's laptop)
CHROMIUM = Path(os.environ.get("HAECHI_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def victim_server(live_server: LiveServer) -> LiveServer:
    """The live server with a regulator to receive reports, its analyst, and a bank."""
    seed(live_server.app.state.container)
    return live_server
