"""Issue 3's story end to end, in headless Chromium against a live server.

A victim reports a picture through the public form and gets a case number and PIN; an analyst of
the regulator signs in, finds the case in the review queue with the picture blurred, reveals it
(audited), confirms it illegal with statement-of-reasons fields into a bank and sends a takedown
notice to the platform; the platform's agent signs in, acknowledges and marks every item removed;
the regulator's SLA board shows the result; `haechi audit verify` passes, and fails once one byte
of one audit entry is changed in the database.

Screenshots of every step go to HAECHI_SCREENSHOT_DIR when set (for people to look at), else to
the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from haechi.cli.main import app as cli
from haechi.config import Settings
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures import images

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"
ANALYST, AGENT = "analyst@kcsc.example", "agent@telegram.example"
BANK = "NATIONAL"
MESSAGE = "https://t.me/some_room/42"


class Story:
    """One actor per browser context (own cookies), screenshots numbered in story order."""

    def __init__(self, browser: Browser, server: LiveServer, shots: Path) -> None:
        self.browser, self.url, self.shots = browser, server.url, shots
        self.count = 0
        self.errors: list[str] = []

    def page(self) -> Page:
        page = self.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._failed)
        return page

    def _failed(self, response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.request.method} {response.url}")

    def shot(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.shots / f"{self.count:02d}-{name}.png"), full_page=True)

    def sign_in(self, email: str) -> Page:
        page = self.page()
        page.goto(f"{self.url}/ui/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.url}/ui/")
        return page


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    kept = os.environ.get("HAECHI_SCREENSHOT_DIR")
    directory = Path(kept) if kept else tmp_path / "shots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def audit_actions(server: LiveServer) -> list[tuple[int, str, str]]:
    with server.app.state.container.uow() as uow:
        return [(e.seq, e.actor, e.action) for e in uow.audit.entries(after_seq=0, limit=10_000)]


def victim_reports(story: Story) -> tuple[str, str]:
    page = story.page()
    page.goto(f"{story.url}/ui/report")
    picture = {"name": "photo.png", "mimeType": "image/png", "buffer": images.png_bytes("coffee")}
    page.set_input_files("#files", files=[picture])
    page.select_option("#platform", "telegram")
    page.fill("#room", "https://t.me/some_room")
    page.fill("#exact_location", MESSAGE)
    page.fill("#explanation", "제 얼굴로 만든 합성 사진입니다 · a sexual deepfake made of my face")
    page.check("input[name=good_faith]")
    story.shot(page, "victim-report-form")
    page.click("button[type=submit]")
    number, pin = page.inner_text("#case-number"), page.inner_text("#pin")
    assert re.fullmatch(r"HC-\d{4}-\d{6}", number) and re.fullmatch(r"\d{8}", pin)
    story.shot(page, "victim-receipt")
    page.close()
    return number, pin


def analyst_reviews(story: Story, server: LiveServer, page: Page, number: str) -> None:
    page.click("nav >> text=Review queue")
    row = page.locator("tr", has_text=number)
    assert row.count() == 1, "the new case is not in the review queue"
    story.shot(page, "analyst-queue")
    row.locator(f"a:has-text('{number}')").click()
    picture = page.locator(".media-frame img")
    picture.wait_for()
    style = picture.evaluate("e => getComputedStyle(e).filter")
    assert "blur" in style and "grayscale" in style, f"media not guarded by default: {style}"
    story.shot(page, "analyst-case-blurred")
    assert not [a for a in audit_actions(server) if a[2] == "media.reveal"]
    page.click("text=Reveal (recorded in the audit log)")
    page.locator(".media-frame img.revealed").wait_for()
    reveals = [a for a in audit_actions(server) if a[2] == "media.reveal"]
    assert len(reveals) == 1 and reveals[0][1].startswith("user:"), reveals
    assert any(a[2] == "media.read" for a in audit_actions(server)), "picture read unaudited"
    story.shot(page, "analyst-case-revealed")


def analyst_confirms(story: Story, page: Page, number: str) -> dict[str, object]:
    page.click("summary:has-text('Decide')")
    page.check("input[name=outcome][value=confirm_illegal]")
    page.select_option("select[name=bank]", BANK)
    page.fill("textarea[name=illegal_content_explanation]", "Sexual deepfake of a real person.")
    page.fill("textarea[name=decision_facts]", "Victim's report; the picture; face matches.")
    story.shot(page, "analyst-decision-form")
    page.click("button:has-text('Record decision')")
    page.wait_for_url(re.compile(rf".*/ui/cases/{number}#item-\d+"))
    assert page.locator(".badge", has_text="confirmed illegal").count() >= 1
    assert page.locator(f"text=added to {BANK}").count() == 1
    story.shot(page, "analyst-decided")
    link = page.locator("a:has-text('statement of reasons')").get_attribute("href")
    statement = page.request.get(f"{story.url}{link}")
    assert statement.ok, statement.text()
    sor: dict[str, object] = statement.json()
    return sor


def analyst_sends_notice(story: Story, page: Page, number: str) -> int:
    case = page.request.get(f"{story.url}/api/v1/cases/{number}").json()
    pdq = case["items"][0]["signals"]["pdq"]  # the case page shows only a prefix of each hash
    page.click("nav >> text=Notices")
    page.click("text=New notice")
    page.select_option("#platform", "Telegram")
    page.select_option("#policy", "kcsc_24h")
    page.fill("#legal_ground", "성폭력처벌법 제14조의2 · Sexual Violence Punishment Act, Art. 14-2")
    page.fill("#hashes", f"pdq:{pdq}")
    page.fill("#links", MESSAGE)
    story.shot(page, "analyst-notice-form")
    page.click("button:has-text('Send notice')")
    page.wait_for_url(re.compile(r".*/ui/notices/\d+$"))
    story.shot(page, "analyst-notice-sent")
    return int(page.url.rsplit("/", 1)[1])


def platform_removes(story: Story, notice_id: int) -> None:
    page = story.sign_in(AGENT)
    page.click("nav >> text=Notices")
    assert page.locator("tr", has_text="KCSC → Telegram").count() == 1
    story.shot(page, "platform-inbox")
    page.click(f"a[href='/ui/notices/{notice_id}']")
    page.click("button:has-text('Acknowledge')")
    page.wait_for_url(f"{story.url}/ui/notices/{notice_id}")
    selects = page.locator("select[name^=outcome_]")
    assert selects.count() == 2
    for i in range(selects.count()):
        selects.nth(i).select_option("removed")
    story.shot(page, "platform-outcomes-form")
    page.click("button:has-text('Report outcomes')")
    page.wait_for_url(f"{story.url}/ui/notices/{notice_id}")
    assert page.locator("text=2 of 2 answered").count() == 1
    story.shot(page, "platform-done")
    page.context.close()


def audit_verify(settings: Settings) -> tuple[int, dict[str, object]]:
    env = {
        "HAECHI_DATABASE_URL": settings.database_url,
        "HAECHI_BLOB_DIR": str(settings.blob_dir),
        "HAECHI_ENVIRONMENT": "test",
    }
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def change_one_byte(settings: Settings, seq: int) -> None:
    """Rewrite one character of an audit entry's actor in place, as a tamperer with the
    database file would (nothing else about the row changes)."""
    engine = create_engine(settings.database_url)  # SQLite file or PostgreSQL database
    with engine.begin() as db:
        select = text("SELECT actor FROM audit_entry WHERE seq = :seq")
        actor = db.execute(select, {"seq": seq}).scalar_one()
        forged = actor[:-1] + ("9" if actor[-1] != "9" else "8")
        update = text("UPDATE audit_entry SET actor = :actor WHERE seq = :seq")
        db.execute(update, {"actor": forged, "seq": seq})
    engine.dispose()


def test_report_to_takedown_story(
    chromium: Browser, live_server: LiveServer, settings: Settings, shots: Path
) -> None:
    c = live_server.app.state.container
    c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    c.auth.create_org("Telegram", "platform", "UTC")
    c.auth.create_user(
        org="KCSC", email=ANALYST, password=PASSWORD, roles=frozenset({Role.ANALYST})
    )
    c.auth.create_user(
        org="Telegram", email=AGENT, password=PASSWORD, roles=frozenset({Role.PLATFORM_AGENT})
    )
    c.banks.create_bank(BANK)
    story = Story(chromium, live_server, shots)

    number, pin = victim_reports(story)

    analyst = story.sign_in(ANALYST)
    story.shot(analyst, "analyst-home")
    analyst_reviews(story, live_server, analyst, number)
    sor = analyst_confirms(story, analyst, number)
    assert sor["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert sor["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert sor["territorial_scope"] == ["KR"]
    assert "14" in str(sor["illegal_content_legal_ground"])
    assert "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE" in str(sor["category_specification"])
    assert {"automated_detection", "automated_decision", "decision_visibility"} <= set(sor)
    item = analyst.request.get(f"{story.url}/api/v1/cases/{number}").json()["items"][0]
    banked = c.banks.get_content(BANK, item["bank_content_id"])
    assert banked.signals["pdq"] == item["signals"]["pdq"], "the picture is not in the bank"

    notice_id = analyst_sends_notice(story, analyst, number)
    platform_removes(story, notice_id)

    analyst.click("nav >> text=SLA board")
    board = analyst.locator("#board")
    assert "2 of 2 removed" in board.locator("tr", has_text="Telegram").first.inner_text()
    story.shot(analyst, "regulator-board")
    analyst.context.close()

    victim = story.page()
    victim.goto(f"{story.url}/ui/report/status")
    victim.fill("#case_number", number)
    victim.fill("#pin", pin)
    victim.click("button[type=submit]")
    assert victim.locator(".badge", has_text="confirmed illegal").count() == 1
    story.shot(victim, "victim-status")
    victim.context.close()
    assert not story.errors, story.errors

    code, report = audit_verify(settings)
    assert code == 0 and report["ok"] is True, report
    reveal = next(seq for seq, _, action in audit_actions(live_server) if action == "media.reveal")
    change_one_byte(settings, reveal)
    code, report = audit_verify(settings)
    assert code == 1 and report["ok"] is False and report["first_bad_seq"] == reveal, report
