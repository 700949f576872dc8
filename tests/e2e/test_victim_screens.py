"""Screenshots of the victim pages in Korean and English, at desktop and phone sizes.

They are for people to look at (set HAECHI_SCREENSHOT_DIR to keep them); the test itself checks
what a screenshot cannot show reliably: the `lang` attribute, that nothing overflows the phone's
width, that every control is reachable with the Tab key, and that no console error occurred.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import LiveServer
from tests.fixtures import images

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    kept = os.environ.get("HAECHI_SCREENSHOT_DIR")
    directory = Path(kept) if kept else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def open_page(chromium: Browser, size: str) -> tuple[Page, list[str]]:
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return page, errors


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_hash_page_screens(
    chromium: Browser,
    victim_server: LiveServer,
    shots: Path,
    tmp_path: Path,
    lang: str,
    size: str,
) -> None:
    page, errors = open_page(chromium, size)
    page.goto(f"{victim_server.url}/victim?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    page.screenshot(path=str(shots / f"victim-{lang}-{size}-empty.png"), full_page=True)
    assert not page.is_visible("#blur-toggle"), "nothing to unblur yet"
    pictures = []
    for name in ("astronaut", "coffee", "chelsea"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(images.source_bytes(name))
        pictures.append(str(path))
    page.set_input_files("#files", pictures)
    page.wait_for_function("() => document.querySelectorAll('#picked .state.ready').length === 3")
    page.check("#confirm")
    assert page.is_visible("#blur-toggle")
    page.screenshot(path=str(shots / f"victim-{lang}-{size}-picked.png"), full_page=True)
    assert fits_the_width(page)
    page.click("#send")
    page.wait_for_selector("#done:not([hidden])")
    assert page.evaluate("() => document.activeElement.id") == "done"
    page.screenshot(path=str(shots / f"victim-{lang}-{size}-done.png"), full_page=True)
    assert fits_the_width(page)
    assert errors == []
    page.close()


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_status_page_screens(
    chromium: Browser, victim_server: LiveServer, shots: Path, lang: str, size: str
) -> None:
    from haechi.services.intake import ItemInput, ReportInput

    container = victim_server.app.state.container
    fields = {"reporter_kind": "victim", "explanation": "fake of me", "good_faith": True}
    receipt = container.intake.submit(
        ReportInput(fields, [ItemInput(kind="hash", signals={"md5": "a" * 32})])
    )
    page, errors = open_page(chromium, size)
    page.goto(f"{victim_server.url}/victim/status?lang={lang}&case={receipt.case_number}")
    assert page.get_attribute("html", "lang") == lang
    page.screenshot(path=str(shots / f"status-{lang}-{size}-form.png"), full_page=True)
    page.fill("#pin", receipt.pin)
    page.keyboard.press("Enter")
    page.wait_for_selector(".item-status")
    page.screenshot(path=str(shots / f"status-{lang}-{size}-result.png"), full_page=True)
    assert fits_the_width(page)
    assert errors == []
    page.close()


def test_every_control_is_reachable_by_keyboard(
    chromium: Browser, victim_server: LiveServer
) -> None:
    page, _ = open_page(chromium, "phone")
    page.goto(f"{victim_server.url}/victim?lang=ko")
    reached = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        )
    assert {"files", "platform", "location", "confirm", "send"} <= reached
    page.focus("#files")
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('label.picker')).outlineStyle"
    )
    assert outline == "solid", "the visible picker shows the hidden input's keyboard focus"
    page.close()
