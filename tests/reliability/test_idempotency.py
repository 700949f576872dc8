"""Idempotency-Key on POSTs (issue 10): replay, reuse with another body, in flight, crashes."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import text

from haechi.bootstrap import Container
from haechi.services.idempotency import (
    CURRENT_ATTEMPT,
    Attempt,
    IdempotencyService,
    Refused,
    Replay,
    RequestKey,
)
from tests.conftest import LiveServer
from tests.fixtures import images
from tests.fixtures.cases import seed

PDQ = "f" * 64
REPORT = {
    "reporter_kind": "victim",
    "explanation": "A fake intimate picture of me.",
    "good_faith": True,
    "platform": "telegram",
    "room": "https://t.me/room",
}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_retry_replays_the_first_response_without_doing_the_work_twice(
    live_server: LiveServer, api: httpx.Client
) -> None:
    key = _key()
    first = api.post("/api/v1/banks", json={"name": "B"}, headers=key)
    again = api.post("/api/v1/banks", json={"name": "B"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    # without a key the same request is a new one (and conflicts)
    assert api.post("/api/v1/banks", json={"name": "B"}).status_code == 409

    body = f"pdq,note\n{PDQ},imported\n"
    key = _key()
    imports = [
        api.post("/api/v1/banks/B/import", params={"format": "csv"}, content=body, headers=key)
        for _ in range(3)
    ]
    assert [r.json() for r in imports] == [{"rows": 1, "added": 1, "skipped_duplicates": 0}] * 3


def test_reports_filed_once_per_key(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    key = _key()
    files = [("file", ("coffee.png", images.png_bytes("coffee"), "image/png"))]
    data = {"report": json.dumps(REPORT)}
    # each multipart request gets a new random boundary; the key still matches
    first = api.post("/api/v1/reports", data=data, files=files, headers=key)
    again = api.post("/api/v1/reports", data=data, files=files, headers=key)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["case_number"] == first.json()["case_number"]
    with live_server.app.state.container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report")).scalar_one() == 1


def test_same_key_other_request_is_refused(api: httpx.Client) -> None:
    key = _key()
    assert api.post("/api/v1/banks", json={"name": "A"}, headers=key).status_code == 201
    other = api.post("/api/v1/banks", json={"name": "Z"}, headers=key)
    assert other.status_code == 422 and other.json()["error"] == "IdempotencyKeyReused"
    elsewhere = api.post("/api/v1/banks/A/import", content=f"pdq\n{PDQ}\n", headers=key)
    assert elsewhere.status_code == 422
    assert api.get("/api/v1/banks/Z").status_code == 404  # nothing was done


def test_bad_keys_and_errors(api: httpx.Client) -> None:
    long = api.post("/api/v1/banks", json={"name": "A"}, headers={"Idempotency-Key": "k" * 256})
    assert long.status_code == 400 and "Idempotency-Key" in long.json()["message"]
    assert api.get("/api/v1/banks/A").status_code == 404
    key = _key()
    api.post("/api/v1/banks", json={"name": "A"})
    clash = api.post("/api/v1/banks", json={"name": "A"}, headers=key)
    assert clash.status_code == 409
    # a 409 changed nothing and is not stored: the key is free for the same request later
    api.delete("/api/v1/banks/A")
    retry = api.post("/api/v1/banks", json={"name": "A"}, headers=key)
    assert retry.status_code in {201, 409}
    if api.get("/api/v1/banks/A").status_code == 404:
        assert retry.status_code == 409
    bad = api.post("/api/v1/banks/A/import", content="pdq\nzz\n", headers=(key := _key()))
    again = api.post("/api/v1/banks/A/import", content="pdq\nzz\n", headers=key)
    assert bad.status_code == again.status_code == 400
    assert again.json() == bad.json() and again.headers["idempotent-replayed"] == "true"


def test_keys_are_per_caller(live_server: LiveServer, api: httpx.Client) -> None:
    key = _key()
    mine = api.post("/api/v1/banks", json={"name": "P"}, headers=key)
    theirs = api.post(
        "/api/v1/banks", json={"name": "P"}, headers=key | {"Authorization": "Bearer nope"}
    )
    assert mine.status_code == 201
    assert "idempotent-replayed" not in theirs.headers


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _service(container: Container, clock: Clock) -> IdempotencyService:
    return IdempotencyService(container.uow, ttl_s=3600, lock_s=60, clock=clock)


def _request(key: str = "k1", body: str = "a") -> RequestKey:
    return RequestKey("scope", key, "POST", "/api/v1/x", body * 64)


def test_in_flight_then_abandoned_attempt_is_taken_over(container: Container) -> None:
    clock = Clock()
    service = _service(container, clock)
    first = service.begin(_request())
    assert isinstance(first, Attempt)
    busy = service.begin(_request())
    assert isinstance(busy, Refused) and busy.status_code == 409
    assert busy.error == "IdempotencyInFlight"
    clock.now += 61  # the first attempt's process died: its lock lapsed, nothing was committed
    second = service.begin(_request())
    assert isinstance(second, Attempt) and second.key_id == first.key_id
    service.finish(second, 201, (("content-type", "application/json"),), b'{"ok":1}')
    replay = service.begin(_request())
    assert replay == Replay(201, (("content-type", "application/json"),), b'{"ok":1}')


def test_attempt_that_committed_work_is_never_run_twice(container: Container) -> None:
    clock = Clock()
    service = _service(container, clock)
    attempt = service.begin(_request())
    assert isinstance(attempt, Attempt)
    token = CURRENT_ATTEMPT.set(attempt)
    try:
        container.banks.create_bank("WORK")  # the work commits, then the process "dies"
    finally:
        CURRENT_ATTEMPT.reset(token)
    assert attempt.committed
    clock.now += 61
    after = service.begin(_request())
    assert isinstance(after, Refused) and after.error == "IdempotencyOutcomeUnknown"
    # a failure after committed work is stored, not released (a retry would duplicate the work)
    service.finish(attempt, 500, (), b"")
    assert isinstance(service.begin(_request()), Replay)


def test_rolled_back_work_does_not_mark_the_key(container: Container) -> None:
    service = _service(container, Clock())
    attempt = service.begin(_request())
    assert isinstance(attempt, Attempt)
    token = CURRENT_ATTEMPT.set(attempt)
    try:
        try:
            with container.uow() as uow:
                uow.idempotency.get("x", "y")
                raise RuntimeError("the work fails")
        except RuntimeError:
            pass
    finally:
        CURRENT_ATTEMPT.reset(token)
    assert not attempt.committed
    service.finish(attempt, 500, (), b"")  # released: the same key may be retried
    assert isinstance(service.begin(_request()), Attempt)


def test_keys_expire_and_are_swept(container: Container) -> None:
    clock = Clock()
    service = _service(container, clock)
    for key in ("a", "b", "c"):
        attempt = service.begin(_request(key))
        assert isinstance(attempt, Attempt)
        service.finish(attempt, 200, (), b"{}")
    clock.now += 3601
    assert service.sweep() == 3
    assert isinstance(service.begin(_request("a")), Attempt)  # a fresh attempt after expiry
