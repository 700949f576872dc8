"""The Telegram connector end to end: a live haechi with a bank holding a benign photo's hash, the
fake Bot API on 127.0.0.1, and the bot polling it. A user posts a resized, recompressed copy of
the banked photo and an unrelated photo: exactly the copy is deleted, a notice is posted, and
haechi has the room, the post and the match; a re-encoded copy of a banked video is matched by
vPDQ computed in the connector. Without the delete right the bot deletes nothing
but still reports. No real Telegram is contacted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from haechi import bootstrap
from haechi.connectors.haechi_api import HaechiClient, RetryPolicy
from haechi.connectors.hashing import ServiceHasher
from haechi.connectors.telegram.connector import Action, ConnectorConfig, TelegramConnector
from haechi.connectors.telegram.runner import build_application, running
from haechi.domain.tenancy import Role
from haechi.services.ports import NewContent
from tests.conftest import LiveServer
from tests.fakes import telegram_bot_api
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fixtures import images, videos
from tests.fixtures.cases import BANK, bank_photo, seed

CHAT = -1001234567890
POSTER = (555001, "poster_one")
OTHER = (555002, "poster_two")


@dataclass
class Haechi:
    server: LiveServer
    connector_token: str
    analyst: httpx.Client
    content_id: int


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    yield from telegram_bot_api.running()


@pytest.fixture
def haechi(live_server: LiveServer) -> Iterator[Haechi]:
    c = live_server.app.state.container
    seed(c)
    content_id = bank_photo(c, "astronaut")
    roles = frozenset({Role.PLATFORM_AGENT})
    connector_token = c.auth.create_token(org="Telegram", name="tg-bot", roles=roles)
    analyst_token = c.auth.create_token(org="KCSC", name="a", roles=frozenset({Role.ANALYST}))
    headers = {"authorization": f"Bearer {analyst_token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as analyst:
        yield Haechi(live_server, connector_token, analyst, content_id)


def _copy_of_banked() -> list[tuple[bytes, int, int]]:
    """What Telegram would serve for the banked photo: a 90 px thumbnail and a resized JPEG."""
    photo = images.load("astronaut")
    full, thumb = images.resized(photo, 0.75), images.resized(photo, 0.18)
    return [
        (images.encode(thumb, "JPEG", quality=70), *thumb.size),
        (images.recompressed(images.encode(full, "PNG"), quality=70), *full.size),
    ]


def _unrelated() -> list[tuple[bytes, int, int]]:
    photo = images.load("coffee")
    return [(images.encode(photo, "JPEG", quality=80), *photo.size)]


def _run(
    h: Haechi, fake: FakeBotApi, scenario: Callable[[TelegramConnector], Awaitable[None]]
) -> TelegramConnector:
    settings = h.server.app.state.container.settings
    hasher = ServiceHasher(bootstrap.local_hashing(settings))

    async def main() -> TelegramConnector:
        client = HaechiClient(
            h.server.url, h.connector_token, retry=RetryPolicy(attempts=3, first_delay_s=0.05)
        )
        connector = TelegramConnector(haechi=client, hasher=hasher, config=ConnectorConfig())
        app = build_application(fake.token, fake.url, connector)
        try:
            async with running(app, connector, poll_timeout_s=1):
                await scenario(connector)
        finally:
            await client.aclose()
        return connector

    return asyncio.run(main())


async def _until(done: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _room(h: Haechi) -> dict[str, Any]:
    rooms = h.analyst.get("/api/v1/rooms", params={"platform": "telegram"}).json()
    assert [r["external_id"] for r in rooms] == [str(CHAT)]
    detail = h.analyst.get(f"/api/v1/rooms/{rooms[0]['id']}")
    assert detail.status_code == 200, detail.text
    found: dict[str, Any] = detail.json()
    return found


def test_deletes_exactly_the_matched_photo_posts_a_notice_and_reports(
    haechi: Haechi, fake: FakeBotApi
) -> None:
    fake.add_group(CHAT, "Sample class 2-3", 31, invite_link="https://t.me/+SampleInvite01")
    fake.fail_next["deleteMessage"] = 1  # flood control once: the bot waits and tries again
    ids: dict[str, int] = {}

    async def scenario(connector: TelegramConnector) -> None:
        fake.bot_joins(CHAT)
        ids["match"] = fake.post(CHAT, POSTER, fake.photo(_copy_of_banked()), caption="lol")
        ids["other"] = fake.post(CHAT, OTHER, fake.photo(_unrelated()))
        await _until(lambda: connector.checked == 2 and len(connector.handled) == 1, "both")

    connector = _run(haechi, fake, scenario)

    deletes = fake.called("deleteMessage")
    assert [(d["chat_id"], d["message_id"]) for d in deletes] == [(CHAT, ids["match"])] * 2
    assert ids["match"] not in fake.groups[CHAT].messages
    assert ids["other"] in fake.groups[CHAT].messages
    [notice] = fake.called("sendMessage")
    assert notice["chat_id"] == CHAT
    assert "removed" in notice["text"] and "삭제되었습니다" in notice["text"]
    assert "02-735-8994" in notice["text"]
    [handled] = connector.handled
    assert handled.action is Action.DELETED and handled.reported
    assert handled.content_ids == (haechi.content_id,)
    # the largest photo size was fetched, the thumbnail and the unrelated photo's only size too
    assert len(fake.called("getFile")) == 2

    detail = _room(haechi)
    assert detail["room"]["title"] == "Sample class 2-3"
    assert detail["room"]["member_count"] == 31
    assert detail["room"]["invite_link"] == "https://t.me/+SampleInvite01"
    assert detail["room"]["flagged"] and detail["room"]["confirmed_items"] == 1
    assert len(detail["member_counts"]) == 2  # reported on joining, then with the match
    [post] = detail["posts"]  # the unrelated photo is not reported
    assert post["external_id"] == str(ids["match"])
    assert post["account"] == "@poster_one"
    assert post["confirmed_items"] == 1
    events = haechi.analyst.get("/api/v1/match-events").json()
    assert {e["content_id"] for e in events} == {haechi.content_id}


def test_without_the_delete_right_it_deletes_nothing_but_reports(
    haechi: Haechi, fake: FakeBotApi
) -> None:
    fake.add_group(CHAT, "Relay room", 900, bot_can_delete=False, username="relay_room_sample")
    ids: dict[str, int] = {}

    async def scenario(connector: TelegramConnector) -> None:
        fake.bot_joins(CHAT)
        ids["match"] = fake.post(
            CHAT, POSTER, fake.document(_copy_of_banked()[1][0], "image/jpeg", "pic.jpg")
        )
        await _until(lambda: len(connector.handled) == 1, "the match")

    connector = _run(haechi, fake, scenario)

    assert fake.called("deleteMessage") == []
    assert ids["match"] in fake.groups[CHAT].messages
    [notice] = fake.called("sendMessage")
    assert "admins, please remove it" in notice["text"]
    [handled] = connector.handled
    assert handled.action is Action.NOT_PERMITTED and handled.reported
    detail = _room(haechi)
    assert detail["room"]["invite_link"] == "https://t.me/relay_room_sample"
    assert [p["external_id"] for p in detail["posts"]] == [str(ids["match"])]


def test_a_reencoded_copy_of_a_banked_video_is_deleted(haechi: Haechi, fake: FakeBotApi) -> None:
    c = haechi.server.app.state.container
    original = videos.clip("a").read_bytes()
    hashed = c.hashing.hash_bytes(original, content_type="video", deferred=True)
    banked = c.banks.add_content(BANK, NewContent(signals=hashed.values())).id
    copy = videos.clip_variant("reencode_h264_crf35").read_bytes()
    fake.add_group(CHAT, "Video room", 50)
    ids: dict[str, int] = {}

    async def scenario(connector: TelegramConnector) -> None:
        ids["video"] = fake.post(CHAT, POSTER, fake.video(copy, 320, 240, 12))
        await _until(lambda: len(connector.handled) == 1, "the video", timeout_s=120)

    connector = _run(haechi, fake, scenario)

    assert [d["message_id"] for d in fake.called("deleteMessage")] == [ids["video"]]
    [handled] = connector.handled
    assert banked in handled.content_ids
    events = haechi.analyst.get("/api/v1/match-events").json()
    assert {e["signal_type"] for e in events} == {"vpdq"}  # re-encoded: the digests differ
