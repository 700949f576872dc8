"""The room map in headless Chromium: the rooms page with its hub ranking, and a case's room
graph drawn as SVG with the Telegram-to-Signal move on its timeline.

Screenshots go to HAECHI_SCREENSHOT_DIR when set (for people to look at), else to the test's
temporary directory. The test checks what a screenshot cannot: the SVG's rooms, lanes, hub rings
and migration arrow are there, nothing failed to load, and no console error occurred.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from haechi.domain.tenancy import Role
from haechi.services.room_import import observation_of
from tests.conftest import LiveServer
from tests.e2e.page_watch import watch_page
from tests.fixtures import rooms as scenario
from tests.fixtures.cases import PASSWORD, bank_photo, principal, seed, upload_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    kept = os.environ.get("HAECHI_SCREENSHOT_DIR")
    directory = Path(kept) if kept else tmp_path / "shots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _scenario(server: LiveServer) -> str:
    c = server.app.state.container
    seed(c)
    for photo in scenario.PHOTOS:
        bank_photo(c, photo)
    number = upload_report(c, "astronaut").case_number
    c.matcher.refresh()
    connector = principal(c, "agent@tg.example")
    analyst = principal(c, "analyst@kcsc.example")
    for body in [*scenario.observations(c), scenario.migration_post()]:
        result = c.rooms.observations.observe(connector, observation_of(body))
        tags = scenario.ROOMS.get(body["external_id"], ("", []))[1]
        if tags:
            c.rooms.directory.set_tags(analyst, result.room_id, tags)
    return number


def test_rooms_and_case_graph_screens(
    chromium: Browser, live_server: LiveServer, shots: Path
) -> None:
    number = _scenario(live_server)
    errors: list[str] = []
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch_page(page, errors)
    page.goto(f"{live_server.url}/ui/login")
    page.fill("#email", "analyst@kcsc.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    assert page.locator("nav a", has_text="Rooms").count() == 1

    page.goto(f"{live_server.url}/ui/rooms")
    page.screenshot(path=str(shots / "rooms-list.png"), full_page=True)
    hubs = page.locator("table.hubs tbody tr")
    assert {hubs.nth(0).inner_text().split("\t")[1], hubs.nth(1).inner_text().split("\t")[1]} == {
        "Relay A telegram",
        "Relay B telegram",
    }

    page.goto(f"{live_server.url}/ui/cases/{number}/rooms")
    page.screenshot(path=str(shots / "case-room-graph.png"), full_page=True)
    svg = page.locator("figure.room-graph svg")
    assert svg.locator("g.room").count() == 7
    assert svg.locator("g.room.hub").count() == 3
    assert svg.locator("path.edge.migration").count() == 1
    assert svg.locator("text.lane").all_text_contents() == ["telegram", "signal"]
    timeline = page.locator("ol.timeline li")
    assert timeline.count() == 1 and "cross-app" in timeline.inner_text()
    assert "Sample High 2-3 photo room" in page.locator("section.alerts").inner_text()
    page.click("text=Block the rooms that spread confirmed pictures")
    page.wait_for_url(f"{live_server.url}/ui/cases/{number}/rooms?blocked=1")
    page.goto(f"{live_server.url}/ui/blocklists/confirmed")
    row = page.locator("tbody tr", has_text=scenario.SCHOOL_INVITE)
    assert "active" in row.inner_text()
    page.fill("#value", "deepfake-gallery.example")
    page.select_option("#kind", "domain")
    page.fill("#reason", "sells the pictures")
    page.fill("#effective_from", "2099-01-01T00:00")
    page.click("form.card button[type=submit]")
    assert "scheduled" in page.locator("tbody tr", has_text="deepfake-gallery").inner_text()
    row.locator("input[name=reason]").fill("room deleted by the platform")
    row.locator("button", has_text="Lift").click()
    page.wait_for_url(f"{live_server.url}/ui/blocklists/confirmed")
    assert "lifted" in page.locator("tbody tr", has_text=scenario.SCHOOL_INVITE).inner_text()
    page.screenshot(path=str(shots / "blocklist.png"), full_page=True)
    page.goto(f"{live_server.url}/ui/cases/{number}")
    page.click("text=distribution rooms and migrations")
    page.wait_for_url(f"{live_server.url}/ui/cases/{number}/rooms")
    assert errors == []


def test_platform_agents_do_not_see_the_map(chromium: Browser, live_server: LiveServer) -> None:
    c = live_server.app.state.container
    seed(c)
    token = c.auth.create_token(org="Telegram", name="c", roles=frozenset({Role.PLATFORM_AGENT}))
    assert token
    page = chromium.new_context().new_page()
    page.goto(f"{live_server.url}/ui/login")
    page.fill("#email", "agent@tg.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    assert page.locator("nav a", has_text="Rooms").count() == 0
    response = page.goto(f"{live_server.url}/ui/rooms")
    assert response is not None and response.status == 403
