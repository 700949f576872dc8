"""The subscriber API's answers to bad input and to other tenants: clear 4xx, nothing lost."""

from __future__ import annotations

import httpx

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer

SOURCE = {"name": "peer", "kind": "haechi", "url": "https://peer.example", "bank": "FROM_PEER"}


def test_sources_refuse_bad_input_and_stay_within_their_tenant(live_server: LiveServer) -> None:
    c = live_server.app.state.container
    c.auth.create_org("PlatformB", "platform")
    c.auth.create_org("PlatformC", "platform")
    c.banks.create_bank("FROM_PEER")
    b = c.auth.create_token(org="PlatformB", name="b", roles=frozenset({Role.ADMIN}))
    other = c.auth.create_token(org="PlatformC", name="c", roles=frozenset({Role.ADMIN}))
    agent = c.auth.create_token(org="PlatformB", name="a", roles=frozenset({Role.PLATFORM_AGENT}))
    url = live_server.url
    with (
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {b}"}) as api,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {other}"}) as api_c,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {agent}"}) as api_agent,
    ):
        assert (
            api.post("/api/v1/exchange/sources", json=SOURCE | {"trust_mode": "x"}).status_code
            == 400
        )
        assert (
            api.post("/api/v1/exchange/sources", json=SOURCE | {"bank": "NOPE"}).status_code == 404
        )
        assert api.post("/api/v1/exchange/sources", json={"name": "x"}).status_code == 422
        assert api_agent.post("/api/v1/exchange/sources", json=SOURCE).status_code == 403
        assert api.post("/api/v1/exchange/sources", json=SOURCE).status_code == 201
        assert api.post("/api/v1/exchange/sources", json=SOURCE).status_code == 409
        assert api.get("/api/v1/exchange/sources/peer").json()["trust_mode"] == "review"
        assert (
            api.patch("/api/v1/exchange/sources/peer", json={"poll_interval_s": 0}).status_code
            == 400
        )
        changed = api.patch("/api/v1/exchange/sources/peer", json={"trust_mode": "auto"})
        assert changed.json()["trust_mode"] == "auto"
        # another platform neither sees nor touches it
        assert api_c.get("/api/v1/exchange/sources").json() == []
        assert api_c.get("/api/v1/exchange/sources/peer").status_code == 404
        assert api_c.delete("/api/v1/exchange/sources/peer").status_code == 404
        assert api_c.post("/api/v1/exchange/sources/peer/poll").status_code == 404
        assert api_c.post(
            "/api/v1/exchange/held/decide", json={"ids": [1], "approve": True}
        ).json() == {"decided": 0}
        assert (
            api.post("/api/v1/exchange/held/decide", json={"ids": [], "approve": True}).status_code
            == 422
        )
        assert (
            api.post(
                "/api/v1/exchange/imports/999/feedback", json={"verdict": "blocked"}
            ).status_code
            == 404
        )
        # a poll that cannot reach the source says why and keeps the reason on the source
        failed = api.post("/api/v1/exchange/sources/peer/poll")
        assert failed.status_code == 400, failed.text  # FetchFailed, as for HMA's URL fetches
        assert "cannot resolve peer.example" in failed.json()["message"]
        last_error = api.get("/api/v1/exchange/sources/peer").json()["last_error"]
        assert "cannot resolve peer.example" in last_error
        assert api.delete("/api/v1/exchange/sources/peer").status_code == 204
        assert api.get("/api/v1/exchange/sources").json() == []
