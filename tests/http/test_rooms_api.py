"""The rooms API's edges: who may call it, malformed observations and exports refused whole with
the row named, and the three import shapes (CSV, observation JSON, Telegram Desktop JSON)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures.cases import seed

OBS: dict[str, Any] = {
    "platform": "telegram",
    "external_id": "-1002000000001",
    "title": "Sample room",
    "invite_link": "https://t.me/joinchat/SampleRoom",
    "member_count": 40,
    "observed_at": "2026-03-02T09:00:00+09:00",
    "description": "backup: https://invite.viber.com/?g2=AQBbackup",
    "posts": [
        {
            "external_id": "1",
            "account": {"external_id": "u1", "handle": "@u1"},
            "posted_at": "2026-03-02T08:00:00+09:00",
            "text": "hello",
            "hashes": [{"signal_type": "md5", "value": "D41D8CD98F00B204E9800998ECF8427E"}],
        }
    ],
}
HEADER = (
    "platform,room_id,room_title,invite_link,member_count,post_id,posted_at,"
    "account_id,account_handle,text,signal_type,hash\n"
)
CSV_OK = (
    HEADER
    + """telegram,-1003,Room C,https://t.me/+RoomC,12,1,2026-03-02T09:00:00Z,u1,@u1,,md5,0cc175b9c0f1b6a831c399e269772661
telegram,-1003,Room C,,,2,2026-03-02T09:05:00Z,u2,@u2,go to https://signal.group/#NewGroup,,
telegram,-1004,Room D,,,1,2026-03-02T10:00:00Z,u1,@u1,,md5,0cc175b9c0f1b6a831c399e269772661
"""
)
CSV_BAD = """platform,room_id,post_id,posted_at,signal_type,hash
telegram,-1005,1,2026-03-02T09:00:00Z,,
telegram,-1005,2,yesterday,,
telegram,,3,2026-03-02T09:00:00Z,,
telegram,-1005,4,2026-03-02T09:00:00Z,,abc
"""
TELEGRAM_EXPORT = {
    "name": "Sample supergroup",
    "type": "private_supergroup",
    "id": 2000000009,
    "messages": [
        {"id": 1, "type": "service", "date": "2026-03-01T10:00:00", "actor": "u1"},
        {
            "id": 2,
            "type": "message",
            "date": "2026-03-01T19:00:00",
            "date_unixtime": "1772359200",
            "from": "Someone",
            "from_id": "user111",
            "text": ["we moved: ", {"type": "link", "text": "https://signal.group/#Moved1"}],
        },
    ],
}


@pytest.fixture
def tokens(live_server: LiveServer) -> dict[str, str]:
    c = live_server.app.state.container
    seed(c)
    make = c.auth.create_token
    return {
        "connector": make(org="Telegram", name="c", roles=frozenset({Role.PLATFORM_AGENT})),
        "analyst": make(org="KCSC", name="a", roles=frozenset({Role.ANALYST})),
        "police": make(org="KNPA", name="p", roles=frozenset({Role.INVESTIGATOR})),
    }


def _h(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_who_may_call(api: httpx.Client, tokens: dict[str, str]) -> None:
    assert api.post("/api/v1/rooms/observations", json=OBS).status_code == 401
    assert (
        api.post("/api/v1/rooms/observations", json=OBS, headers=_h(tokens["police"])).status_code
        == 403
    )
    r = api.post("/api/v1/rooms/observations", json=OBS, headers=_h(tokens["connector"]))
    assert r.status_code == 200, r.text
    assert r.json()["migrations"] == 1 and r.json()["alerts"] == []  # not flagged: no alert
    assert api.get("/api/v1/rooms", headers=_h(tokens["connector"])).status_code == 403
    rooms = api.get("/api/v1/rooms", headers=_h(tokens["police"])).json()
    assert {(x["platform"], x["link_only"]) for x in rooms} == {
        ("telegram", False),
        ("viber", True),
    }
    detail = api.get(f"/api/v1/rooms/{r.json()['room_id']}", headers=_h(tokens["police"])).json()
    assert detail["room"]["invite_link"] == "https://t.me/+SampleRoom"
    assert detail["member_counts"][0][1] == 40 and detail["posts"][0]["account"] == "@u1"
    assert detail["migrations"][0]["to_platform"] == "viber"
    tags = {"tags": ["school:x"]}
    put = api.put(
        f"/api/v1/rooms/{r.json()['room_id']}/tags", json=tags, headers=_h(tokens["police"])
    )
    assert put.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"observed_at": "2026-03-02T09:00:00"}, 422, "timezone"),
        ({"platform": "Tele gram!"}, 400, "platform"),
        ({"member_count": -1}, 422, "member_count"),
        ({"posts": [OBS["posts"][0], OBS["posts"][0]]}, 400, "appears twice"),
        (
            {"posts": [{**OBS["posts"][0], "hashes": [{"signal_type": "pdq", "value": "zz"}]}]},
            400,
            "posts[0]: pdq",
        ),
        (
            {"posts": [{**OBS["posts"][0], "hashes": [{"signal_type": "nope", "value": "1"}]}]},
            400,
            "nope",
        ),
        ({"posts": [{**OBS["posts"][0], "matched_content_ids": [999]}]}, 400, "no bank content"),
    ],
)
def test_malformed_observations_are_refused_whole(
    api: httpx.Client, tokens: dict[str, str], change: dict[str, object], status: int, message: str
) -> None:
    r = api.post("/api/v1/rooms/observations", json=OBS | change, headers=_h(tokens["connector"]))
    assert r.status_code == status, r.text
    assert message in r.json()["message"]
    assert api.get("/api/v1/rooms", headers=_h(tokens["analyst"])).json() == []


def test_csv_import_groups_rows_by_room(api: httpx.Client, tokens: dict[str, str]) -> None:
    r = api.post(
        "/api/v1/rooms/import",
        content=CSV_OK,
        headers=_h(tokens["analyst"]) | {"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert [(x["posts_added"], x["items"], x["migrations"]) for x in r.json()] == [
        (2, 1, 1),
        (1, 1, 0),
    ]
    hubs = api.get("/api/v1/rooms/hubs", headers=_h(tokens["analyst"])).json()
    assert len(hubs["migrations"]) == 1 and hubs["migrations"][0]["to_platform"] == "signal"


def test_a_malformed_export_imports_nothing_and_names_every_row(
    api: httpx.Client, tokens: dict[str, str]
) -> None:
    r = api.post(
        "/api/v1/rooms/import",
        params={"filename": "export.csv"},
        content=CSV_BAD,
        headers=_h(tokens["analyst"]),
    )
    assert r.status_code == 400
    message = r.json()["message"]
    assert "nothing imported, 3 problem(s)" in message
    for row in ("row 3: posted_at", "row 4: platform, room_id", "row 5: a hash needs"):
        assert row in message
    assert api.get("/api/v1/rooms", headers=_h(tokens["analyst"])).json() == []
    bad_json = api.post(
        "/api/v1/rooms/import", content=b'{"observations": [1', headers=_h(tokens["analyst"])
    )
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["message"]
    denied = api.post("/api/v1/rooms/import", content=CSV_OK, headers=_h(tokens["connector"]))
    assert denied.status_code == 403


def test_a_telegram_desktop_export_is_imported(api: httpx.Client, tokens: dict[str, str]) -> None:
    r = api.post(
        "/api/v1/rooms/import",
        content=json.dumps(TELEGRAM_EXPORT),
        headers=_h(tokens["analyst"]) | {"content-type": "application/json"},
    )
    assert r.status_code == 200, r.text
    [result] = r.json()
    assert result["posts_added"] == 1 and result["migrations"] == 1
    room = api.get(f"/api/v1/rooms/{result['room_id']}", headers=_h(tokens["analyst"])).json()
    assert room["room"]["external_id"] == "-1002000000009"
    assert room["room"]["title"] == "Sample supergroup"
    assert room["posts"][0]["posted_at"] == 1772359200.0
    assert room["posts"][0]["links"] == ["https://signal.group/#Moved1"]


def test_a_room_known_from_a_link_is_adopted_when_observed(
    api: httpx.Client, tokens: dict[str, str]
) -> None:
    first = api.post("/api/v1/rooms/observations", json=OBS, headers=_h(tokens["connector"]))
    [viber] = [
        r
        for r in api.get("/api/v1/rooms", headers=_h(tokens["analyst"])).json()
        if r["platform"] == "viber"
    ]
    assert viber["link_only"] and viber["external_id"] == "link:AQBbackup"
    seen = {
        "platform": "viber",
        "external_id": "viber-community-77",
        "title": "Backup community",
        "invite_link": "invite.viber.com/?g2=AQBbackup",
        "member_count": 15,
        "observed_at": "2026-03-03T09:00:00+09:00",
    }
    r = api.post("/api/v1/rooms/observations", json=seen, headers=_h(tokens["connector"]))
    assert r.status_code == 200, r.text
    assert r.json()["room_id"] == viber["id"] and r.json()["created"] is False
    room = api.get(f"/api/v1/rooms/{viber['id']}", headers=_h(tokens["analyst"])).json()["room"]
    assert (room["external_id"], room["title"], room["link_only"]) == (
        "viber-community-77",
        "Backup community",
        False,
    )
    assert first.json()["room_id"] != viber["id"]


def test_scheduled_blocklist_entries_wait_for_their_date(
    api: httpx.Client, tokens: dict[str, str]
) -> None:
    analyst = _h(tokens["analyst"])
    later = {
        "kind": "url",
        "value": "https://t.me/+Later",
        "reason": "court order effective next week",
        "effective_from": "2099-01-01T00:00:00Z",
    }
    r = api.post("/api/v1/blocklists/court/entries", json=later, headers=analyst)
    assert r.status_code == 201 and r.json()["status"] == "scheduled"
    text = api.get("/api/v1/blocklists/court.txt", headers=_h(tokens["connector"])).text
    assert "https://t.me/+Later" not in text.splitlines()
    bad = api.post(
        "/api/v1/blocklists/court/entries",
        json={"kind": "domain", "value": "not a domain", "reason": "x"},
        headers=analyst,
    )
    assert bad.status_code == 400
    assert api.get("/api/v1/blocklists/nope.txt", headers=analyst).status_code == 404
    assert api.get("/api/v1/blocklists/court.pdf", headers=analyst).status_code == 404
    denied = api.post("/api/v1/blocklists/court/entries", json=later, headers=_h(tokens["police"]))
    assert denied.status_code == 403
