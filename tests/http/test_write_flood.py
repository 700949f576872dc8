"""Flood control of direct bank writes: an API caller above HAECHI_BANK_WRITE_FLOOD_PER_HOUR gets
its further hashes added disabled and held; a regulator approves or rejects them in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer, make_settings


def md5(n: int) -> str:
    return f"{n:032x}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(make_settings(tmp_path, bank_write_flood_per_hour=3)) as live:
        yield live


def _client(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def _matches(api: httpx.Client, n: int) -> bool:
    found = api.get("/m/lookup", params={"signal_type": "md5", "signal": md5(n)}).json()
    return bool(found)


def test_a_burst_from_one_token_is_held_until_a_regulator_decides(server: LiveServer) -> None:
    c = server.app.state.container
    c.auth.create_org("KCSC", "regulator")
    c.auth.create_org("Flagger", "trusted_flagger")
    c.banks.create_bank("NATIONAL")
    flagger = c.auth.create_token(org="Flagger", name="bulk", roles=frozenset({Role.ANALYST}))
    other = c.auth.create_token(org="Flagger", name="other", roles=frozenset({Role.ANALYST}))
    flagger_admin = c.auth.create_token(org="Flagger", name="adm", roles=frozenset({Role.ADMIN}))
    operator = c.auth.create_token(org="KCSC", name="op", roles=frozenset({Role.ANALYST}))
    with (
        _client(server, flagger) as api,
        _client(server, other) as api_other,
        _client(server, flagger_admin) as api_flagger_admin,
        _client(server, operator) as api_operator,
    ):
        states = []
        for n in range(1, 4):
            r = api.post("/api/v1/banks/NATIONAL/content", json={"signals": {"md5": md5(n)}})
            assert r.status_code == 201, r.text
            states.append(r.json()["enabled"])
        csv = "md5\n" + "\n".join(md5(n) for n in range(4, 7)) + "\n"
        imported = api.post("/api/v1/banks/NATIONAL/import", content=csv)
        assert imported.json()["added"] == 3  # added, but held
        late = api.post("/api/v1/banks/NATIONAL/content", json={"signals": {"md5": md5(8)}})
        assert late.status_code == 201 and late.json()["enabled"] is False
        # HMA's curation route counts against the same budget
        assert api.post("/c/bank/NATIONAL/signal", json={"md5": md5(9)}).status_code == 200
        assert not _matches(api, 9)
        # the other token has a budget of its own
        assert (
            api_other.post(
                "/api/v1/banks/NATIONAL/content", json={"signals": {"md5": md5(7)}}
            ).status_code
            == 201
        )
        assert [_matches(api, n) for n in range(1, 8)] == [True] * 3 + [False] * 3 + [True]

        assert api_flagger_admin.get("/api/v1/exchange/held-writes").status_code == 403
        held = api_operator.get("/api/v1/exchange/held-writes").json()
        assert len(held) == 5 and {h["source"] for h in held} == {held[0]["source"]}
        ids = [h["content_id"] for h in held]
        decide = "/api/v1/exchange/held-writes/decide"
        assert api_operator.post(decide, json={"ids": ids[:2], "approve": True}).json() == {
            "decided": 2
        }
        assert api_operator.post(decide, json={"ids": ids, "approve": False}).json() == {
            "decided": 3
        }
        assert [_matches(api, n) for n in (4, 5, 6, 8, 9)] == [True, True, False, False, False]
        assert api_operator.get("/api/v1/exchange/held-writes").json() == []
    with c.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=500)]
    assert actions.count("bank.flood_quarantine") == 3  # the held import, two late single adds
    assert actions.count("bank.flood_review") == 2
    assert states == [True, True, True]
