"""The law-enforcement request API on a live server, with organisations' bearer tokens."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from haechi.bootstrap import Container
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures.cases import PASSWORD
from tests.fixtures.le import ACCOUNTS, ROOM, draft, seed_le

H = dict[str, str]


def tokens(c: Container) -> dict[str, H]:
    for name, kind in (("KCSC", "regulator"), ("KNPA", "police"), ("Telegram", "platform")):
        c.auth.create_org(name, kind, "Asia/Seoul")
    made = {
        "admin": c.auth.create_token(org="KCSC", name="a", roles=frozenset({Role.ADMIN})),
        "police": c.auth.create_token(org="KNPA", name="p", roles=frozenset({Role.INVESTIGATOR})),
        "chief": c.auth.create_token(org="KNPA", name="c", roles=frozenset({Role.ADMIN})),
        "agent": c.auth.create_token(
            org="Telegram", name="t", roles=frozenset({Role.PLATFORM_AGENT})
        ),
    }
    return {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}


def body(email: str) -> dict[str, Any]:
    return {
        "type": "disclosure",
        "platform": "Telegram",
        "agency": "KNPA Cyber Bureau",
        "officer": "Kim",
        "officer_email": email,
        "badge": "KNPA-1",
        "statute": "Criminal Procedure Act, Art. 215",
        "instrument": "warrant",
        "targets": [{"kind": "account", "value": a} for a in ACCOUNTS]
        + [{"kind": "room", "value": ROOM}],
        "attachment": {
            "filename": "warrant.pdf",
            "data_base64": base64.b64encode(b"%PDF warrant").decode(),
        },
    }


def test_submit_hold_verify_answer(live_server: LiveServer, api: httpx.Client) -> None:
    t = tokens(live_server.app.state.container)
    r = api.post(
        "/api/v1/le-domains", json={"org": "KNPA", "domain": "police.go.kr"}, headers=t["police"]
    )
    assert r.status_code == 403
    r = api.post(
        "/api/v1/le-domains", json={"org": "KNPA", "domain": "police.go.kr"}, headers=t["chief"]
    )
    assert r.json() == ["police.go.kr"]
    held = api.post("/api/v1/le-requests", json=body("x@gmail.example"), headers=t["police"])
    assert held.status_code == 201 and held.json()["verification"] == "held"
    hid = held.json()["id"]
    assert api.get("/api/v1/le-requests", headers=t["agent"]).json() == []
    assert api.get(f"/api/v1/le-requests/{hid}", headers=t["agent"]).status_code == 404
    assert api.get(f"/api/v1/le-requests/{hid}/attachment", headers=t["agent"]).status_code == 404
    ok = api.post("/api/v1/le-requests", json=body("k@police.go.kr"), headers=t["police"])
    rid = ok.json()["id"]
    assert ok.json()["status"] == "open" and ok.json()["due_at"] - ok.json()["received_at"] == 86400
    seen = api.get(f"/api/v1/le-requests/{rid}", headers=t["agent"]).json()
    assert seen["requester_history"]["counts"] == {"open": 1}
    doc = api.get(f"/api/v1/le-requests/{rid}/attachment", headers=t["agent"])
    assert doc.content == b"%PDF warrant"
    refuse = {"disposition": "refused"}
    r = api.post(f"/api/v1/le-requests/{rid}/responses", json=refuse, headers=t["agent"])
    assert r.status_code == 400
    answer = {
        "disposition": "complete",
        "records": [{"account": a, "category": "phone", "value": "+82"} for a in ACCOUNTS],
    }
    r = api.post(f"/api/v1/le-requests/{rid}/responses", json=answer, headers=t["agent"])
    assert r.status_code == 200 and r.json()["status"] == "answered"
    mine = api.get(f"/api/v1/le-requests/{rid}", headers=t["police"]).json()
    assert [x["account"] for x in mine["responses"][0]["records"]] == list(ACCOUNTS)
    verify = {"accept": True}
    r = api.post(f"/api/v1/le-requests/{hid}/verify", json=verify, headers=t["agent"])
    assert r.status_code == 403
    r = api.post(f"/api/v1/le-requests/{hid}/verify", json=verify, headers=t["admin"])
    assert r.json()["verification"] == "verified"
    board = api.get("/api/v1/le-requests/dashboard", headers=t["agent"]).json()
    assert [o["id"] for o in board["open"]] == [hid]
    assert (
        board["platforms"][0]["platform"] == "Telegram" and board["platforms"][0]["answered"] == 1
    )


def test_ui_inbox_shows_verified_requests_only(live_server: LiveServer) -> None:
    c: Container = live_server.app.state.container
    who = seed_le(c)
    c.le.requests.submit(who["cop@KNPA"], draft())
    c.le.requests.submit(who["rogue@KNPA"], draft(officer_email="rogue@gmail.example"))
    with httpx.Client(base_url=live_server.url, timeout=30) as ui:
        r = ui.post("/ui/login", data={"email": "agent@tg.example", "password": PASSWORD})
        assert r.status_code == 303
        assert 'href="/ui/le-requests"' in ui.get("/ui/").text
        page = ui.get("/ui/le-requests").text
    assert "Law-enforcement inbox" in page and "cop@police.go.kr" in page
    assert "rogue@gmail.example" not in page
