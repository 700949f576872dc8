"""Report intake and the case API over HTTP against a live server (benign photos only)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.fixtures import images
from tests.fixtures.cases import BANK, bank_photo, seed

REPORT = {
    "reporter_kind": "victim",
    "explanation": "A fake intimate picture of me.",
    "good_faith": True,
    "platform": "telegram",
    "room": "https://t.me/room",
}
SOR = {
    "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "illegal_content_explanation": "A sexual deepfake shared without consent.",
    "decision_facts": "Compared by a person with the reporter's photo.",
}


def token(server: LiveServer, org: str, *roles: str) -> dict[str, str]:
    from haechi.domain.tenancy import parse_roles

    c = server.app.state.container
    value = c.auth.create_token(org=org, name=f"{org}-{roles}", roles=parse_roles(list(roles)))
    return {"Authorization": f"Bearer {value}"}


def file_report(api: httpx.Client, name: str = "coffee", **extra: Any) -> httpx.Response:
    files = [("file", (f"{name}.png", images.png_bytes(name), "image/png"))]
    return api.post("/api/v1/reports", data={"report": json.dumps(REPORT | extra)}, files=files)


def test_public_report_status_and_withdraw(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    r = file_report(api)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"case_number", "pin", "items", "attached", "matches"}
    assert body["attached"] is None and body["matches"] is None  # nothing about banks leaks
    query = {"case_number": body["case_number"], "pin": body["pin"]}
    status = api.get("/api/v1/reports/status", params=query)
    assert status.status_code == 200 and status.json()["items"] == ["pending"]
    assert api.post("/api/v1/reports/status", json=query).json()["status"] == "received"
    wrong = api.post("/api/v1/reports/status", json=query | {"pin": "00000000"})
    assert wrong.status_code == 404 and wrong.json()["error"] == "NotFound"
    gone = api.post("/api/v1/reports/withdraw", json=query)
    assert gone.json() == {
        "case_number": body["case_number"],
        "status": "withdrawn",
        "submitted_at": status.json()["submitted_at"],
        "items": ["withdrawn"],
        "pictures": [
            {
                "status": "withdrawn",
                "received": True,
                "reviewed": False,
                "hashes_active": False,
                "platforms_matched": 0,
                "removed": False,
            }
        ],
    }


def test_json_hash_report_by_an_org_shows_matches(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    content_id = bank_photo(c, "astronaut")
    sha = hashlib.sha256(images.png_bytes("astronaut")).hexdigest()
    headers = token(live_server, "Flagger", "analyst")
    item = {"kind": "hash", "signals": {"sha256": sha}}
    body = REPORT | {"reporter_kind": "trusted_flagger", "items": [item]}
    r = api.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["matches"] == [
        [{"bank": BANK, "content_id": content_id, "signal_type": "sha256", "distance": 0}]
    ]
    again = api.post("/api/v1/reports", json=body, headers=headers).json()
    assert again["attached"] is True and again["case_number"] == r.json()["case_number"]
    queue = api.get("/api/v1/cases", headers=headers).json()
    assert [(q["number"], q["priority"], q["matched"]) for q in queue] == [
        (r.json()["case_number"], 0, True)
    ]
    bad = api.post("/api/v1/reports", json=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_decide_and_export_over_the_api(live_server: LiveServer, api: httpx.Client) -> None:
    c = live_server.app.state.container
    seed(c)
    number = file_report(api, "chelsea").json()["case_number"]
    kcsc = token(live_server, "KCSC", "analyst", "moderator")
    detail = api.get(f"/api/v1/cases/{number}", headers=kcsc).json()
    [item] = detail["items"]
    assert item["has_media"] and item["media_type"] == "image/png"
    media = api.get(f"/api/v1/cases/{number}/items/{item['id']}/media", headers=kcsc)
    assert media.status_code == 200 and media.headers["cache-control"] == "no-store"
    assert media.content == images.png_bytes("chelsea")
    url = f"/api/v1/cases/{number}/items/{item['id']}/decisions"
    body = {"outcome": "confirm_illegal", "bank": BANK, "statement_of_reasons": SOR}
    decided = api.post(url, json=body, headers=kcsc)
    assert decided.status_code == 201, decided.text
    decision = decided.json()
    assert decision["bank"] == BANK and decision["statement_of_reasons"]["puid"].startswith(number)
    sor = api.get(f"/api/v1/cases/{number}/decisions/{decision['id']}/statement", headers=kcsc)
    assert (
        sor.status_code == 200
        and sor.json()["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    )
    assert api.post(url, json=body, headers=kcsc).status_code == 409
    lookup = api.get("/m/lookup", params={"signal_type": "pdq", "signal": item["signals"]["pdq"]})
    assert BANK in lookup.json()


def test_other_tenants_get_404_and_nothing(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    number = file_report(api).json()["case_number"]
    police = token(live_server, "KNPA", "investigator")
    assert api.get("/api/v1/cases", headers=police).json() == []
    assert api.get(f"/api/v1/cases/{number}", headers=police).status_code == 404
    assert api.get(f"/api/v1/cases/{number}/items/1/media", headers=police).status_code in (
        403,
        404,
    )
    platform = token(live_server, "Telegram", "platform_agent")
    assert api.get("/api/v1/cases", headers=platform).status_code == 403
    flagger = token(live_server, "Flagger", "analyst")
    decide = api.post(
        f"/api/v1/cases/{number}/items/1/decisions",
        json={"outcome": "escalate", "note": "x"},
        headers=flagger,
    )
    assert decide.status_code == 404
    assert api.get("/api/v1/cases").status_code == 401


def test_bad_input_is_a_clear_4xx(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    post = api.post
    assert (
        post(
            "/api/v1/reports", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        post("/api/v1/reports", content=b"x", headers={"content-type": "text/plain"}).status_code
        == 400
    )
    missing = post("/api/v1/reports", json={"reporter_kind": "victim", "good_faith": True})
    assert missing.status_code == 400 and "explanation" in missing.json()["message"]
    typo = post("/api/v1/reports", json=REPORT | {"good_faith": "yes", "items": []})
    assert typo.status_code == 400 and "good_faith" in typo.json()["message"]
    extra = post("/api/v1/reports", json=REPORT | {"colour": "red"})
    assert extra.status_code == 400
    bad_hash = post(
        "/api/v1/reports", json=REPORT | {"items": [{"kind": "hash", "signals": {"pdq": "zz"}}]}
    )
    assert bad_hash.status_code == 400 and bad_hash.json()["error"] == "InvalidSignal"
    corrupt = api.post(
        "/api/v1/reports",
        data={"report": json.dumps(REPORT)},
        files=[("file", ("x.png", images.png_bytes("coffee")[:300], "image/png"))],
    )
    assert corrupt.status_code == 415
    wrong_field = api.post(
        "/api/v1/reports",
        data={"report": json.dumps(REPORT)},
        files=[("photo", ("x.png", images.png_bytes("coffee"), "image/png"))],
    )
    assert wrong_field.status_code == 400
    assert (
        api.get("/api/v1/reports/status", params={"case_number": "x", "pin": "1"}).status_code
        == 400
    )
    assert api.get("/api/v1/reports/status").status_code == 422
    c = live_server.app.state.container
    with c.engine.connect() as conn:
        assert conn.exec_driver_sql('SELECT count(*) FROM "case"').scalar_one() == 0


def test_public_intake_is_rate_limited(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    body = REPORT | {"items": [{"kind": "url", "url": "https://example.org/a"}]}
    codes = [api.post("/api/v1/reports", json=body).status_code for _ in range(5)]
    assert codes == [201] * 5  # the default budget: five reports per source per hour
    assert api.post("/api/v1/reports", json=body).status_code == 429
    # one budget for every public door: the form and the victim page are closed too
    assert api.post("/ui/report", data={"reporter_kind": "victim"}).status_code == 429
    victim = {"items": [{"content_type": "photo", "signals": {"md5": "0" * 32}}], "confirm": True}
    assert api.post("/victim/reports", json=victim).status_code == 429
    # an organisation's own reports are not the public's: no budget applies
    flagger = token(live_server, "Flagger", "analyst")
    own = body | {"reporter_kind": "trusted_flagger"}
    assert api.post("/api/v1/reports", json=own, headers=flagger).status_code == 201


def test_public_checks_share_the_guard(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    # different case numbers each time, so the per-case PIN lock never comes into it
    numbers = [f"HC-2026-{n:06d}" for n in range(1, 21)]
    codes = [
        api.post("/api/v1/reports/status", json={"case_number": n, "pin": "12345678"}).status_code
        for n in numbers
    ]
    assert codes == [404] * 20  # the default budget: twenty checks per source per hour
    query = {"case_number": "HC-2026-000099", "pin": "12345678"}
    assert api.post("/api/v1/reports/withdraw", json=query).status_code == 429
    assert api.post("/ui/report/status", data=query).status_code == 429
    assert api.post("/victim/status", data=query).status_code == 429
