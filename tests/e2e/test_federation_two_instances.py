"""Issue 9's "done when": two haechi instances side by side on 127.0.0.1, separate databases.

A (a regulator) grants its national bank to B's organisation; B subscribes with A's public key
pinned, trusting A automatically, polling every second through its own scheduler and job worker.
A hash confirmed on A matches on B's HMA `/m/lookup` within seconds; A's retraction stops the
match on B; B's verdict appears in A's feedback counters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer, make_settings
from tests.fixtures import images

POLL_S = 1.0


def _client(server: LiveServer, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def _wait(check: Callable[[], bool], timeout_s: float = 20.0) -> float:
    """Seconds until `check()` held (fails the test after the timeout)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    common = {
        "fetch_allow_private": True,  # both live on 127.0.0.1
        "exchange_schedule_s": 0.2,
        "jobs_poll_s": 0.1,
        "webhook_deliver_interval_s": 0,
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # separate databases and separate instance keys: B checks A's signatures, not its own
    a_settings = make_settings(
        tmp_path / "a", evidence_key_path=tmp_path / "a" / "key.pem", **common
    )
    b_settings = make_settings(
        tmp_path / "b", evidence_key_path=tmp_path / "b" / "key.pem", **common
    )
    with LiveServer(a_settings) as a, LiveServer(b_settings) as b:
        yield a, b


def _lookup(b: httpx.Client, pdq: str) -> dict[str, object]:
    response = b.get("/m/lookup", params={"signal_type": "pdq", "signal": pdq})
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def test_a_hash_confirmed_on_a_matches_on_b_and_retraction_and_feedback_flow(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    ca, cb = a.app.state.container, b.app.state.container
    # A: the regulator with its bank, B's organisation registered with a subscriber token
    ca.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    a_admin = ca.auth.create_token(org="KCSC", name="admin", roles=frozenset({Role.ANALYST}))
    ca.auth.create_org("PlatformB", "platform", "UTC")
    b_at_a = ca.auth.create_token(
        org="PlatformB", name="feed", roles=frozenset({Role.PLATFORM_AGENT})
    )
    ca.banks.create_bank("NATIONAL")
    # B: its own organisation and the bank A's hashes land in
    cb.auth.create_org("PlatformB", "platform", "UTC")
    b_admin = cb.auth.create_token(org="PlatformB", name="admin", roles=frozenset({Role.ADMIN}))
    cb.banks.create_bank("FROM_KCSC")

    with _client(a, a_admin) as api_a, _client(b, b_admin) as api_b, _client(b) as hma_b:
        grant = api_a.post("/api/v1/exchange/grants", json={"org": "PlatformB", "bank": "NATIONAL"})
        assert grant.status_code == 201, grant.text
        key = api_a.get("/api/v1/exchange/key").text
        source = {
            "name": "kcsc",
            "kind": "haechi",
            "url": a.url,
            "bank": "FROM_KCSC",
            "trust_mode": "auto",
            "poll_interval_s": POLL_S,
            "token": b_at_a,
            "public_key_pem": key,
        }
        created = api_b.post("/api/v1/exchange/sources", json=source)
        assert created.status_code == 201, created.text
        assert created.json()["token"] == "sealed"  # never echoed back

        pdq = ca.hashing.hash_bytes(images.png_bytes("astronaut"), content_type="photo").values()[
            "pdq"
        ]
        assert _lookup(hma_b, pdq) == {}

        # confirm on A; B's scheduler and job worker poll every second
        confirmed_at = time.monotonic()
        added = api_a.post("/api/v1/banks/NATIONAL/content", json={"signals": {"pdq": pdq}})
        assert added.status_code == 201, added.text
        _wait(lambda: "FROM_KCSC" in _lookup(hma_b, pdq))
        to_match = time.monotonic() - confirmed_at
        print(f"\nA confirm -> B match: {to_match:.2f} s (poll interval {POLL_S} s)")
        assert to_match < POLL_S + 10  # generous: a loaded CI machine

        # provenance: B knows where its copy came from
        with cb.uow() as uow:
            src = uow.federation.get_source("kcsc")
            assert src is not None
            imports = uow.federation.imports(source_id=src.id, state=None, limit=10)
        assert [(i.remote_id, i.state.value) for i in imports] == [
            (str(added.json()["id"]), "active")
        ]

        # B's verdict flows back to A at once
        verdict = api_b.post(
            f"/api/v1/exchange/imports/{imports[0].id}/feedback", json={"verdict": "false_positive"}
        )
        assert verdict.status_code == 200, verdict.text
        assert verdict.json()["sent"] == 1
        stats = api_a.get("/api/v1/exchange/feedback").json()
        assert stats == [
            {
                "id": str(added.json()["id"]),
                "bank": "NATIONAL",
                "signals": {"pdq": pdq},
                "confirmed": 0,
                "false_positive": 1,
                "blocked": 0,
                "not_blocked": 0,
                "total": 1,
                "misfire_rate": 1.0,
            }
        ]

        # retract on A: after B's next poll the hash no longer matches there
        retracted_at = time.monotonic()
        withdrawn = api_a.patch(
            f"/api/v1/banks/NATIONAL/content/{added.json()['id']}", json={"withdrawn": True}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        _wait(lambda: _lookup(hma_b, pdq) == {})
        print(f"A retract -> B no match: {time.monotonic() - retracted_at:.2f} s")


def test_the_feed_refuses_strangers_and_other_banks(pair: tuple[LiveServer, LiveServer]) -> None:
    a, _ = pair
    ca = a.app.state.container
    ca.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    ca.auth.create_org("PlatformB", "platform", "UTC")
    ca.auth.create_org("PlatformC", "platform", "UTC")
    admin = ca.auth.create_token(org="KCSC", name="admin", roles=frozenset({Role.ANALYST}))
    b_token = ca.auth.create_token(
        org="PlatformB", name="f", roles=frozenset({Role.PLATFORM_AGENT})
    )
    c_token = ca.auth.create_token(
        org="PlatformC", name="f", roles=frozenset({Role.PLATFORM_AGENT})
    )
    ca.banks.create_bank("NATIONAL")
    ca.banks.create_bank("OTHER")
    with _client(a, admin) as api_a:
        assert (
            api_a.post(
                "/api/v1/exchange/grants", json={"org": "PlatformB", "bank": "NATIONAL"}
            ).status_code
            == 201
        )
        assert (
            api_a.post(
                "/api/v1/exchange/grants", json={"org": "PlatformB", "bank": "NATIONAL"}
            ).status_code
            == 409
        )
        for bank, value in (("NATIONAL", "a" * 32), ("OTHER", "b" * 32)):
            api_a.post(f"/api/v1/banks/{bank}/content", json={"signals": {"md5": value}})
    with _client(a) as anon, _client(a, b_token) as b, _client(a, c_token) as c:
        assert anon.get("/api/v1/exchange/feed").status_code == 401
        assert b.get("/api/v1/exchange/grants").status_code == 403  # subscribers can't grant
        items = b.get("/api/v1/exchange/feed").json()["items"]
        assert [(i["bank"], i["signals"]) for i in items] == [("NATIONAL", {"md5": "a" * 32})]
        assert c.get("/api/v1/exchange/feed").json()["items"] == []  # no grant, nothing
        assert b.get("/api/v1/exchange/feed", params={"since": "garbage"}).status_code == 400
        # feedback only on hashes the subscriber was sent
        other = c.post(
            "/api/v1/exchange/feedback",
            json={"items": [{"id": items[0]["id"], "verdict": "confirmed"}]},
        )
        assert other.json() == {"accepted": 0, "unknown": [items[0]["id"]]}
        bad = b.post(
            "/api/v1/exchange/feedback", json={"items": [{"id": items[0]["id"], "verdict": "meh"}]}
        )
        assert bad.status_code == 400
