"""Ids past 64 bits are a clear 400 on both databases (found by the API fuzzer on PostgreSQL)."""

from __future__ import annotations

import httpx

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer

HUGE = "36893488147419103231"


def test_ids_past_bigint_are_refused_with_400(live_server: LiveServer) -> None:
    auth = live_server.app.state.container.auth
    auth.create_org("KCSC", "regulator", "Asia/Seoul")
    token = auth.create_token(org="KCSC", name="ops", roles=frozenset(Role))
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as api:
        listed = api.get("/api/v1/jobs", params={"org_id": HUGE})
        outcome = api.post(
            f"/api/v1/notices/{HUGE}/outcomes",
            json={"outcomes": [{"item_id": 1, "outcome": "removed", "reason": None}]},
        )
    for response in (listed, outcome):
        assert response.status_code == 400, response.text
        assert "out of range" in response.json()["message"]
