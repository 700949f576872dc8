"""The transparency page and a UI error page in headless Chromium.

Screenshots go to HAECHI_SCREENSHOT_DIR when set (for people to look at), else to the test's
temporary directory. The test checks what a screenshot cannot: the report frame is fitted to its
content (the page scrolls once), its charts loaded under the UI's content-security policy, and no
request or script failed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.e2e.page_watch import watch_page as _watch
from tests.fixtures.transparency import seed_month

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    kept = os.environ.get("HAECHI_SCREENSHOT_DIR")
    directory = Path(kept) if kept else tmp_path / "shots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_transparency_page_and_error_page(
    chromium: Browser, live_server: LiveServer, shots: Path
) -> None:
    c = live_server.app.state.container
    seed_month(c)
    c.auth.create_user(
        org="KCSC", email="analyst@kcsc.example", password=PASSWORD, roles=frozenset({Role.ANALYST})
    )
    errors: list[str] = []
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _watch(page, errors, allowed=(404,))
    page.goto(f"{live_server.url}/ui/login")
    page.fill("#email", "analyst@kcsc.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    page.click("header nav a:text('Transparency')")
    page.wait_for_url(f"{live_server.url}/ui/transparency")
    page.select_option("#org", "Telegram")
    page.fill("#first", "2026-10-01")
    page.fill("#last", "2026-10-31")
    page.click("form.report-form button[type=submit]")
    page.wait_for_url(
        "**/ui/transparency?org=Telegram&first=2026-10-01&last=2026-10-31&format=html"
    )
    frame = page.frame_locator("iframe.report")
    assert frame.locator("h1").inner_text().startswith("Transparency report — Telegram")
    charts = frame.locator("img")
    assert charts.count() >= 3
    for i in range(charts.count()):
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), i
    fitted = page.locator("iframe.report").evaluate(
        "f => f.getBoundingClientRect().height >= f.contentDocument.documentElement.scrollHeight"
    )
    assert fitted
    page.screenshot(path=str(shots / "transparency-report.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a.button:text('CSV')")
    assert download.value.suggested_filename.endswith(".csv")

    page.goto(f"{live_server.url}/ui/cases/HC-2026-999999")
    assert page.locator("p.code").inner_text() == "HTTP 404"
    assert page.locator("a.button").get_attribute("href") == "/ui/cases"
    page.screenshot(path=str(shots / "error-404.png"), full_page=True)
    assert errors == []
