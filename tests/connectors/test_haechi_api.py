"""The connector's haechi client: retries on what may pass (connection errors, 429 with
Retry-After, 5xx), stops at once on a refusal with haechi's own message; and the outbox that keeps
reports across restarts."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from haechi.connectors.haechi_api import (
    BankMatch,
    HaechiClient,
    HaechiRejected,
    HaechiUnavailable,
    RetryPolicy,
)
from haechi.connectors.telegram.observations import Outbox

FAST = RetryPolicy(attempts=3, first_delay_s=0.01, max_delay_s=0.5)
LOOKUP = {"matches": {"pdq": [{"bank": "KR", "content_id": 7, "distance": 12}]}}


def _client(handler: httpx.MockTransport, retry: RetryPolicy = FAST) -> HaechiClient:
    return HaechiClient("http://haechi.test/", "tok-1", retry=retry, transport=handler)


def _scripted(
    *answers: httpx.Response | Exception,
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), seen


def test_lookup_sends_only_the_hash_with_the_token() -> None:
    transport, seen = _scripted(httpx.Response(200, json=LOOKUP))
    found = asyncio.run(_client(transport).lookup("pdq", "ab" * 32))
    assert found == [BankMatch("pdq", "KR", 7, 12)]
    [request] = seen
    assert request.url.path == "/api/v1/lookup"
    assert request.headers["authorization"] == "Bearer tok-1"
    assert json.loads(request.content) == {"signal_type": "pdq", "signal": "ab" * 32}


def test_transient_failures_are_retried_then_succeed() -> None:
    transport, seen = _scripted(
        httpx.ConnectError("refused"),
        httpx.Response(503),
        httpx.Response(200, json={"room_id": 1}),
    )
    assert asyncio.run(_client(transport).observe({"platform": "telegram"})) == {"room_id": 1}
    assert len(seen) == 3


def test_429_waits_for_retry_after() -> None:
    transport, seen = _scripted(
        httpx.Response(429, headers={"retry-after": "0.3"}), httpx.Response(200, json=LOOKUP)
    )
    started = time.monotonic()
    asyncio.run(_client(transport).lookup("pdq", "00" * 32))
    assert time.monotonic() - started >= 0.3
    assert len(seen) == 2


def test_a_refusal_is_not_retried_and_keeps_haechis_message() -> None:
    transport, seen = _scripted(
        httpx.Response(403, json={"detail": "missing permission rooms:observe"})
    )
    with pytest.raises(HaechiRejected, match="rooms:observe") as refused:
        asyncio.run(_client(transport).observe({}))
    assert refused.value.status == 403
    assert len(seen) == 1


def test_gives_up_after_the_last_attempt() -> None:
    transport, seen = _scripted(*(httpx.Response(502) for _ in range(3)))
    with pytest.raises(HaechiUnavailable, match="3 times: HTTP 502"):
        asyncio.run(_client(transport).observe({}))
    assert len(seen) == 3


def test_outbox_survives_a_restart_in_order(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    box = Outbox(path)
    box.add({"external_id": "-1"})
    box.add({"external_id": "-2"})
    again = Outbox(path)
    assert len(again) == 2
    assert again.peek() == {"external_id": "-1"}
    again.pop()
    assert Outbox(path).peek() == {"external_id": "-2"}
    assert path.stat().st_mode & 0o077 == 0


def test_a_full_outbox_drops_the_oldest() -> None:
    box = Outbox(limit=2)
    for n in range(3):
        box.add({"external_id": str(n)})
    assert len(box) == 2
    assert box.peek() == {"external_id": "1"}


def test_an_unreadable_outbox_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text("{half a file", encoding="utf-8")
    box = Outbox(path)
    assert len(box) == 0
    assert (tmp_path / "outbox.json.unreadable").read_text(encoding="utf-8") == "{half a file"
