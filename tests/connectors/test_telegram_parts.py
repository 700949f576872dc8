"""The Telegram connector's parts: which file of a message is hashed, Telegram's flood control,
and what happens while haechi is down (a failed lookup deletes nothing; a report that cannot be
delivered waits in the outbox and goes out on the next periodic pass); one notice a minute."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from telegram import Message
from telegram.error import BadRequest, RetryAfter, TimedOut

from haechi.connectors.haechi_api import HaechiClient, RetryPolicy
from haechi.connectors.telegram.calls import with_retries
from haechi.connectors.telegram.connector import Action, TelegramConnector
from haechi.connectors.telegram.media import media_of
from haechi.connectors.telegram.runner import build_application, running
from tests.fakes import telegram_bot_api
from tests.fakes.telegram_bot_api import FakeBotApi

CHAT = -1009876543210
BASE = {
    "message_id": 5,
    "date": 1_772_000_000,
    "chat": {"id": CHAT, "type": "supergroup", "title": "t"},
}


def _message(**media: Any) -> Message:
    return Message.de_json({**BASE, **media}, None)


def _size(file_id: str, side: int, size: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"file_id": file_id, "file_unique_id": file_id, "width": side}
    out["height"] = side
    if size is not None:
        out["file_size"] = size
    return out


def test_the_largest_photo_within_the_limit_is_hashed() -> None:
    sizes = [_size("s", 90, 2_000), _size("m", 800, 90_000), _size("l", 2560, 900_000)]
    message = _message(photo=sizes)
    ref = media_of(message, 1_000_000)
    assert ref is not None and (ref.file_id, ref.content_type) == ("l", "photo")
    smaller = media_of(message, 100_000)
    assert smaller is not None and smaller.file_id == "m"


def test_files_are_hashed_by_mime_type_and_other_documents_ignored() -> None:
    def doc(mime: str) -> dict[str, Any]:
        return {"file_id": mime, "file_unique_id": "u", "mime_type": mime}

    image = media_of(_message(document=doc("image/png")), 10)
    video = media_of(_message(document=doc("video/mp4")), 10)
    assert image is not None and image.content_type == "photo"
    assert video is not None and video.content_type == "video"
    assert media_of(_message(document=doc("application/pdf")), 10) is None
    assert media_of(_message(text="hello"), 10) is None
    clip = {"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 3}
    ref = media_of(_message(video=clip), 10)
    assert ref is not None and ref.content_type == "video"


def test_flood_control_waits_then_succeeds_and_a_bad_request_is_final() -> None:
    answers: list[Exception | str] = [RetryAfter(dt.timedelta(seconds=0.2)), TimedOut(), "done"]

    async def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    started = time.monotonic()
    assert asyncio.run(with_retries("x", call)) == "done"
    assert time.monotonic() - started >= 0.2

    async def refused() -> str:
        raise BadRequest("Message to delete not found")

    with pytest.raises(BadRequest):
        asyncio.run(with_retries("x", refused))


class _Md5:
    def hash(self, data: bytes, content_type: str) -> dict[str, str]:
        return {"md5": hashlib.md5(data).hexdigest()}


class _Haechi:
    """haechi as the connector sees it over HTTP, with switches for being down."""

    def __init__(self, banked: bytes) -> None:
        self.banked = hashlib.md5(banked).hexdigest()
        self.lookup_up = self.observe_up = True
        self.lookups = 0
        self.observations: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if request.url.path == "/api/v1/lookup":
            self.lookups += 1
            if not self.lookup_up:
                return httpx.Response(503)
            hits = [{"bank": "KR", "content_id": 9, "distance": 0}]
            return httpx.Response(
                200, json={"matches": {"md5": hits if body["signal"] == self.banked else []}}
            )
        if not self.observe_up:
            return httpx.Response(503)
        self.observations.append(body)
        return httpx.Response(200, json={"room_id": 1})


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    yield from telegram_bot_api.running()


def test_while_haechi_is_down_nothing_is_deleted_on_a_guess_and_reports_wait(
    fake: FakeBotApi,
) -> None:
    fake.add_group(CHAT, "Room", 12)
    banked = b"\xff\xd8 a benign stand-in for a banked picture"
    haechi = _Haechi(banked)
    photo = fake.photo([(banked, 10, 10)])

    async def main() -> None:
        client = HaechiClient(
            "http://haechi.test",
            "tok",
            retry=RetryPolicy(attempts=2, first_delay_s=0.01),
            transport=httpx.MockTransport(haechi),
        )
        connector = TelegramConnector(haechi=client, hasher=_Md5())
        app = build_application(fake.token, fake.url, connector)
        async with running(app, connector, poll_timeout_s=1):
            haechi.lookup_up, haechi.observe_up = False, False
            first = fake.post(CHAT, (1, "a"), photo)
            await _until(lambda: haechi.lookups == 2)
            await asyncio.sleep(0.3)
            assert fake.called("deleteMessage") == []
            assert first in fake.groups[CHAT].messages

            haechi.lookup_up = True
            second = fake.post(CHAT, (1, "a"), photo)
            await _until(lambda: len(connector.handled) == 1)
            [handled] = connector.handled
            assert handled.action is Action.DELETED and not handled.reported
            assert len(connector.outbox) == 1

            haechi.observe_up = True
            await connector.tick(app.bot)
            assert len(connector.outbox) == 0
            posts = [p["external_id"] for o in haechi.observations for p in o["posts"]]
            assert posts == [str(second)]

            third = fake.post(CHAT, (2, "b"), photo)  # a relay keeps posting: no second notice
            await _until(lambda: len(connector.handled) == 2)
            assert [d["message_id"] for d in fake.called("deleteMessage")] == [second, third]
            assert len(fake.called("sendMessage")) == 1
        await client.aclose()

    asyncio.run(main())


async def _until(done: Any, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_a_message_gone_before_the_bot_deletes_it_is_reported_as_delete_failed(
    fake: FakeBotApi,
) -> None:
    fake.add_group(CHAT, "Room", 12)
    banked = b"another benign stand-in"
    haechi = _Haechi(banked)

    async def main() -> None:
        client = HaechiClient("http://haechi.test", "tok", transport=httpx.MockTransport(haechi))
        connector = TelegramConnector(haechi=client, hasher=_Md5())
        app = build_application(fake.token, fake.url, connector)
        async with running(app, connector, poll_timeout_s=1):
            gone = fake.post(CHAT, (1, "a"), fake.photo([(banked, 10, 10)]))
            fake.groups[CHAT].messages.discard(gone)  # an admin was faster
            await _until(lambda: len(connector.handled) == 1)
        await client.aclose()
        [handled] = connector.handled
        assert handled.action is Action.DELETE_FAILED and handled.reported
        assert len(fake.called("deleteMessage")) == 1  # a final answer: not retried
        assert "could not delete it" in fake.called("sendMessage")[0]["text"]

    asyncio.run(main())
