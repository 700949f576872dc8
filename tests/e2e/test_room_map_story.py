"""Issue 8's scenario against a live server: a platform's connector reports six generated rooms
(benign photos), then the school room moves to Signal. The case's room graph finds the seeding
room and ranks the relay hubs; the migration is detected and alerted to the case owner (response,
alert row, queued webhook); the regulator blocks the case's rooms and a site, and an ISP polls
the list in three formats, checks the Ed25519 signatures, and gets 304 until a removal.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from haechi.adapters.signing import PublicKey
from haechi.bootstrap import Container
from haechi.domain.tenancy import Principal, Role
from tests.conftest import LiveServer, make_settings
from tests.fixtures import images
from tests.fixtures import rooms as scenario
from tests.fixtures.cases import BANK, bank_photo, seed, upload_report


def _tokens(live: LiveServer) -> dict[str, str]:
    c = live.app.state.container
    seed(c)
    c.auth.create_org("SampleNet ISP", "platform", "Asia/Seoul")
    return {
        "connector": c.auth.create_token(
            org="Telegram", name="connector", roles=frozenset({Role.PLATFORM_AGENT})
        ),
        "analyst": c.auth.create_token(org="KCSC", name="desk", roles=frozenset({Role.ANALYST})),
        "isp": c.auth.create_token(
            org="SampleNet ISP", name="rpz", roles=frozenset({Role.PLATFORM_AGENT})
        ),
        "admin": c.auth.create_token(org="KCSC", name="admin", roles=frozenset({Role.ADMIN})),
    }


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


class _Receiver(BaseHTTPRequestHandler):
    """The case owner's webhook endpoint, on loopback."""

    got: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.got.append({"event": self.headers["x-haechi-event"], "body": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.got.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/haechi"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path, fetch_allow_private=True)
    with LiveServer(settings) as server:
        yield server


def test_seed_hubs_migration_alert_and_signed_blocklists(live: LiveServer, hooks: str) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as api:
        _story(live, api, hooks)


def _story(live_server: LiveServer, api: httpx.Client, hook_url: str) -> None:
    c = live_server.app.state.container
    tokens = _tokens(live_server)
    for photo in scenario.PHOTOS:
        bank_photo(c, photo)
    receipt = upload_report(c, "astronaut", kind="victim")  # the victim's report: the case
    with c.uow() as uow:
        case = uow.cases.get_case(receipt.case_number)
        assert case is not None
    hook, _ = c.webhooks.register(_admin(c), url=hook_url, events=["room.migration"])
    c.matcher.refresh()

    # -- the connector reports the five rooms --------------------------------------------------
    ids = {}
    for body in scenario.observations(c):
        r = api.post("/api/v1/rooms/observations", json=body, headers=_auth(tokens["connector"]))
        assert r.status_code == 200, r.text
        ids[body["external_id"]] = r.json()["room_id"]
        assert r.json()["alerts"] == []
    school, relay_a, relay_b = (ids[f"-100100000000{i}"] for i in (1, 2, 3))
    assert r.json()["posts_added"] == 1
    # resending the same events adds nothing (connectors retry)
    again = api.post(
        "/api/v1/rooms/observations",
        json=scenario.observations(c)[0],
        headers=_auth(tokens["connector"]),
    )
    assert again.json()["posts_added"] == 0 and again.json()["created"] is False
    for external_id, (_title, tags, *_rest) in scenario.ROOMS.items():
        if tags:
            r = api.put(
                f"/api/v1/rooms/{ids[external_id]}/tags",
                json={"tags": tags},
                headers=_auth(tokens["analyst"]),
            )
            assert r.status_code == 200, r.text

    rooms = api.get("/api/v1/rooms", headers=_auth(tokens["analyst"])).json()
    by_id = {room["id"]: room for room in rooms}
    assert by_id[school]["case_ids"] == [case.id]  # the victim's exact file was posted there
    assert by_id[relay_a]["confirmed_items"] == 4 and by_id[relay_b]["confirmed_items"] == 4
    assert by_id[school]["confirmed_items"] == 2
    tagged = api.get(
        "/api/v1/rooms", params={"tag": "unit:sample-unit"}, headers=_auth(tokens["analyst"])
    ).json()
    assert [room["title"] for room in tagged] == ["Unit 0000 barracks"]

    # -- the school room moves to Signal: detected and alerted ---------------------------------
    r = api.post(
        "/api/v1/rooms/observations",
        json=scenario.migration_post(),
        headers=_auth(tokens["connector"]),
    )
    assert r.status_code == 200, r.text
    alerts = r.json()["alerts"]
    assert len(alerts) == 1 and r.json()["migrations"] == 1
    alert = alerts[0]
    assert alert["case_number"] == case.number and alert["cross_app"] is True
    assert alert["from_room"]["id"] == school and alert["to_room"]["platform"] == "signal"
    with c.uow() as uow:
        queued = uow.webhooks.deliveries(hook.id, limit=10)
    assert [d.event.value for d in queued] == ["room.migration"]
    deadline = time.monotonic() + 15
    while not _Receiver.got and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [g["event"] for g in _Receiver.got] == ["room.migration"]
    delivered = _Receiver.got[0]["body"]["data"]
    assert delivered["to_room"]["platform"] == "signal" and delivered["case_id"] == case.id

    # -- the case's graph: seeding room, hubs, migration timeline ----------------------------------
    graph = api.get(f"/api/v1/cases/{case.id}/room-graph", headers=_auth(tokens["analyst"]))
    assert graph.status_code == 200, graph.text
    g = graph.json()
    nodes = {n["id"]: n for n in g["nodes"]}
    signal_room = alert["to_room"]["id"]
    assert {school, relay_a, relay_b, signal_room} <= set(nodes)
    assert len(nodes) == 7  # the case's rooms and everyone up to two steps away
    hubs = [h["room_id"] for h in g["hubs"]]
    assert set(hubs[:2]) == {relay_a, relay_b}, g["hubs"]
    assert "betweenness" in g["hubs"][0]["explanation"]
    astronaut = bank_content_of(c, "astronaut")
    seeds = {s["item"]: s for s in g["seeds"]}
    assert seeds[f"content:{astronaut}"]["room_id"] == school
    assert seeds[f"content:{astronaut}"]["rooms"] == 3
    assert [
        (m["from_room_id"], m["to_room_id"], m["to_platform"], m["cross_app"])
        for m in g["migrations"]
    ] == [(school, signal_room, "signal", True)]
    assert [a["to_room_id"] for a in g["alerts"]] == [signal_room]
    kinds = {e["kind"] for e in g["edges"]}
    assert kinds == {"shared_accounts", "shared_items", "migration"}
    exported = api.get(
        f"/api/v1/cases/{case.id}/room-graph",
        params={"format": "graphml"},
        headers=_auth(tokens["analyst"]),
    )
    root = ET.fromstring(exported.text)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == 7
    as_csv = api.get(
        f"/api/v1/cases/{case.id}/room-graph",
        params={"format": "csv"},
        headers=_auth(tokens["analyst"]),
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {"shared_accounts", "shared_items", "migration"} == {row["kind"] for row in rows}
    # the platform's connector cannot read the map
    denied = api.get(f"/api/v1/cases/{case.id}/room-graph", headers=_auth(tokens["connector"]))
    assert denied.status_code == 403

    _blocklists(api, tokens, case.id)


def _admin(c: Container) -> Principal:
    with c.uow() as uow:
        org = uow.tenancy.get_org_by_name("KCSC")
        assert org is not None
    return Principal.of(org, frozenset({Role.ADMIN}), label="admin")


def bank_content_of(c: Container, photo: str) -> int:
    values = c.hashing.hash_bytes(images.png_bytes(photo), content_type="photo").values()
    hits = c.lookup.raw_lookup("md5", values["md5"], {BANK})
    return int(hits[0].content_id)


def _blocklists(api: httpx.Client, tokens: dict[str, str], case_id: int) -> None:
    analyst, isp = _auth(tokens["analyst"]), _auth(tokens["isp"])
    added = api.post(f"/api/v1/blocklists/confirmed/cases/{case_id}", headers=analyst)
    assert added.status_code == 201, added.text
    assert [e["value"] for e in added.json()] == [scenario.SCHOOL_INVITE]
    site = api.post(
        "/api/v1/blocklists/confirmed/entries",
        json={"kind": "domain", "value": "Deepfake-Gallery.example", "reason": "sells the set"},
        headers=analyst,
    )
    assert site.status_code == 201 and site.json()["value"] == "deepfake-gallery.example"
    dup = api.post(
        "/api/v1/blocklists/confirmed/entries",
        json={"kind": "domain", "value": "deepfake-gallery.example", "reason": "again"},
        headers=analyst,
    )
    assert dup.status_code == 409
    key = PublicKey(api.get("/api/v1/blocklists/public-key").content)
    first = {}
    for fmt in ("txt", "csv", "rpz"):
        r = api.get(f"/api/v1/blocklists/confirmed.{fmt}", headers=isp)
        assert r.status_code == 200, r.text
        assert r.headers["x-haechi-key-id"] == key.key_id
        assert key.check(r.content, base64.b64decode(r.headers["x-haechi-signature"]))
        assert not key.check(r.content + b"x", base64.b64decode(r.headers["x-haechi-signature"]))
        first[fmt] = r
        unchanged = api.get(
            f"/api/v1/blocklists/confirmed.{fmt}",
            headers=isp | {"if-none-match": r.headers["etag"]},
        )
        assert unchanged.status_code == 304 and unchanged.content == b""
    assert scenario.SCHOOL_INVITE in first["txt"].text.splitlines()
    zone = first["rpz"].text
    assert " IN SOA " in zone and " IN NS " in zone
    assert "deepfake-gallery.example CNAME ." in zone
    assert "*.deepfake-gallery.example CNAME ." in zone
    assert "t.me" not in zone  # never the whole messenger for one invite link
    serial = int(first["rpz"].headers["x-haechi-serial"])
    assert api.get("/api/v1/blocklists/confirmed.rpz").status_code == 401

    entry = site.json()["id"]
    lifted = api.post(
        f"/api/v1/blocklists/entries/{entry}/remove",
        json={"reason": "site taken down by its host"},
        headers=analyst,
    )
    assert lifted.status_code == 200 and lifted.json()["status"] == "removed"
    after = api.get(
        "/api/v1/blocklists/confirmed.rpz",
        headers=isp | {"if-none-match": first["rpz"].headers["etag"]},
    )
    assert after.status_code == 200
    assert int(after.headers["x-haechi-serial"]) == serial + 1
    assert "deepfake-gallery" not in after.text
    assert f"({serial + 1} " in after.text
    rows = list(
        csv.DictReader(io.StringIO(api.get("/api/v1/blocklists/confirmed.csv", headers=isp).text))
    )
    removed = [row for row in rows if row["status"] == "removed"]
    assert [row["value"] for row in removed] == ["deepfake-gallery.example"]
    assert removed[0]["removed_at"].startswith("20")
    text = api.get("/api/v1/blocklists/confirmed.txt", headers=isp).text
    assert "# deepfake-gallery.example removed " in text
    assert "deepfake-gallery.example" not in [line for line in text.splitlines()]
