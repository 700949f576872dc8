"""`/api/v1/notices` and `/api/v1/webhooks` against a live server with organisations' tokens."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from haechi.config import Settings
from haechi.domain.tenancy import Role
from haechi.domain.webhooks import verify_signature
from tests.conftest import LiveServer, make_settings
from tests.fixtures.notices import PDQ, receiver

H = dict[str, str]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # webhook receivers in these tests listen on 127.0.0.1
    return make_settings(tmp_path, fetch_allow_private=True, webhook_deliver_interval_s=0.2)


def tokens(live_server: LiveServer) -> dict[str, H]:
    auth = live_server.app.state.container.auth
    auth.create_org("KCSC", "regulator", "Asia/Seoul")
    auth.create_org("Telegram", "platform", "UTC")
    auth.create_org("Signal", "platform", "UTC")
    made = {
        "regulator": ("KCSC", Role.ANALYST),
        "regulator_admin": ("KCSC", Role.ADMIN),
        "agent": ("Telegram", Role.PLATFORM_AGENT),
        "platform_admin": ("Telegram", Role.ADMIN),
        "other": ("Signal", Role.PLATFORM_AGENT),
    }
    return {
        k: {"Authorization": "Bearer " + auth.create_token(org=o, name=k, roles=frozenset({r}))}
        for k, (o, r) in made.items()
    }


NOTICE = {
    "platform": "Telegram",
    "legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "policy": "kcsc_24h",
    "items": [
        {"kind": "hash", "signal_type": "pdq", "value": PDQ},
        {"kind": "url", "value": "https://t.me/somechannel/12"},
        {"kind": "message_link", "value": "https://t.me/c/1234/56"},
        {"kind": "room", "value": "https://t.me/somechannel"},
    ],
}


def test_notice_lifecycle_and_tenancy(live_server: LiveServer, api: httpx.Client) -> None:
    t = tokens(live_server)
    assert api.post("/api/v1/notices", json=NOTICE).status_code == 401
    missing_case = api.post("/api/v1/notices", json=NOTICE | {"case_id": 7}, headers=t["regulator"])
    assert missing_case.status_code == 404, "a notice may only cite a case its sender can see"
    created = api.post("/api/v1/notices", json=NOTICE, headers=t["regulator"])
    assert created.status_code == 201, created.text
    notice = created.json()
    nid, items = notice["id"], [i["id"] for i in notice["items"]]
    assert notice["stage"] == "received" and notice["case_id"] is None
    assert notice["act"]["due_at"] - notice["sent_at"] == pytest.approx(24 * 3600)
    assert notice["acknowledge"]["overdue"] is False

    assert [n["id"] for n in api.get("/api/v1/notices", headers=t["agent"]).json()] == [nid]
    assert api.get("/api/v1/notices", headers=t["other"]).json() == []
    assert api.get(f"/api/v1/notices/{nid}", headers=t["other"]).status_code == 404
    assert api.post(f"/api/v1/notices/{nid}/acknowledge", headers=t["other"]).status_code == 404
    assert (
        api.post(f"/api/v1/notices/{nid}/acknowledge", headers=t["regulator_admin"]).status_code
        == 403
    )
    assert api.post("/api/v1/notices", json=NOTICE, headers=t["platform_admin"]).status_code == 403

    ack = api.post(f"/api/v1/notices/{nid}/acknowledge", headers=t["agent"])
    assert ack.status_code == 200 and ack.json()["stage"] == "acknowledged"
    refused = {"outcomes": [{"item_id": items[0], "outcome": "refused"}]}
    r = api.post(f"/api/v1/notices/{nid}/outcomes", json=refused, headers=t["agent"])
    assert r.status_code == 400 and "reason" in r.json()["message"]
    unknown = {
        "outcomes": [
            {"item_id": items[0], "outcome": "removed"},
            {"item_id": 999, "outcome": "removed"},
        ]
    }
    r = api.post(f"/api/v1/notices/{nid}/outcomes", json=unknown, headers=t["agent"])
    assert r.status_code == 404 and r.json()["error"] == "NotFound"
    assert api.get(f"/api/v1/notices/{nid}", headers=t["agent"]).json()["answered"] == 0

    report = {
        "outcomes": [{"item_id": i, "outcome": "removed"} for i in items[:3]]
        + [{"item_id": items[3], "outcome": "geo_blocked", "reason": "blocked in KR"}]
    }
    done = api.post(f"/api/v1/notices/{nid}/outcomes", json=report, headers=t["agent"])
    assert done.status_code == 200 and done.json()["stage"] == "acted"
    assert done.json()["act"]["late"] is False and done.json()["removed"] == 3

    board = api.get("/api/v1/notices/board", headers=t["regulator"]).json()
    (platform,) = board["platforms"]
    assert platform["platform"] == "Telegram" and platform["headline"].startswith("3 of 4 removed")
    assert platform["outcomes"]["geo_blocked"] == 1 and platform["open"] == 0
    assert board["notices"][0]["id"] == nid
    assert api.get("/api/v1/notices/board", headers=t["other"]).json()["notices"] == []


BAD: list[tuple[dict[str, object], int]] = [
    ({"policy": "asap"}, 400),
    ({"policy": "custom"}, 400),
    ({"policy": "custom", "sla": {"act": {"rule": "elapsed", "hours": 0.001}}}, 400),
    ({"platform": "KCSC"}, 400),
    ({"items": []}, 422),
    ({"items": [{"kind": "photo", "value": "x"}]}, 422),
    ({"items": [{"kind": "hash", "signal_type": "pdq", "value": "nothex"}]}, 400),
    ({"items": [{"kind": "url", "value": "javascript:alert(1)"}]}, 400),
    ({"legal_ground": "  "}, 400),
]


def test_bad_notices_are_clear_4xx_and_write_nothing(
    live_server: LiveServer, api: httpx.Client
) -> None:
    t = tokens(live_server)
    for change, status in BAD:
        r = api.post("/api/v1/notices", json=NOTICE | change, headers=t["regulator"])
        assert r.status_code == status, (change, r.text)
        assert r.json()["message"]
    assert api.get("/api/v1/notices", headers=t["regulator"]).json() == []
    assert api.get("/api/v1/notices/12345", headers=t["regulator"]).status_code == 404
    assert api.get("/api/v1/notices/abc", headers=t["regulator"]).status_code == 404


def test_custom_policy_over_the_api(live_server: LiveServer, api: httpx.Client) -> None:
    t = tokens(live_server)
    sla = {"ack": {"rule": "elapsed", "hours": 2}, "act": {"rule": "business_days", "days": 1}}
    body = NOTICE | {"policy": "custom", "sla": sla | {"zone": "Asia/Seoul", "day_end_hour": 18}}
    r = api.post("/api/v1/notices", json=body, headers=t["regulator"])
    assert r.status_code == 201, r.text
    policy = r.json()["policy"]
    assert policy["name"] == "custom" and policy["act"] == {"rule": "business_days", "days": 1}


def test_webhooks_over_the_api_are_signed_and_delivered_by_the_server(
    live_server: LiveServer, api: httpx.Client
) -> None:
    t = tokens(live_server)
    with receiver() as rx:
        body = {"url": rx.url, "events": ["notice.created"]}
        assert api.post("/api/v1/webhooks", json=body, headers=t["agent"]).status_code == 403
        assert (
            api.post(
                "/api/v1/webhooks", json=body | {"events": ["x"]}, headers=t["platform_admin"]
            ).status_code
            == 422
        )
        made = api.post("/api/v1/webhooks", json=body, headers=t["platform_admin"])
        assert made.status_code == 201, made.text
        endpoint, secret = made.json()["endpoint"], made.json()["secret"]
        listed = api.get("/api/v1/webhooks", headers=t["platform_admin"]).json()
        assert listed == [endpoint] and "secret" not in str(listed)
        nid = api.post("/api/v1/notices", json=NOTICE, headers=t["regulator"]).json()["id"]
        assert rx.arrived.wait(10), "the server's delivery thread did not send the webhook"
    request = rx.requests[0]
    assert verify_signature(
        secret, request.headers["X-Haechi-Signature"], request.body, now=time.time()
    )
    assert request.json["data"]["notice_id"] == nid  # type: ignore[index]
    eid = endpoint["id"]
    deliveries = api.get(f"/api/v1/webhooks/{eid}/deliveries", headers=t["platform_admin"])
    assert [d["status"] for d in deliveries.json()] == ["delivered"]
    assert (
        api.get(f"/api/v1/webhooks/{eid}/deliveries", headers=t["regulator_admin"]).status_code
        == 404
    )
    rotated = api.post(f"/api/v1/webhooks/{eid}/rotate", headers=t["platform_admin"]).json()
    assert rotated["secret"] != secret and rotated["endpoint"]["id"] == eid
    assert api.delete(f"/api/v1/webhooks/{eid}", headers=t["platform_admin"]).status_code == 204
    assert api.delete(f"/api/v1/webhooks/{eid}", headers=t["platform_admin"]).status_code == 404
