"""The public report form and the moderator's pages over HTTP, signed in through /ui/login."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer
from tests.fixtures import images
from tests.fixtures.cases import BANK, PASSWORD, seed

FORM = {
    "reporter_kind": "victim",
    "explanation": "피해 사진입니다 · a fake picture of me",
    "platform": "telegram",
    "room": "https://t.me/room",
    "good_faith": "yes",
}


def sign_in(api: httpx.Client, email: str) -> str:
    r = api.post("/ui/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 303
    page = api.get("/ui/cases")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def file_via_form(api: httpx.Client, name: str = "coffee") -> tuple[str, str]:
    files = [("files", (f"{name}.png", images.png_bytes(name), "image/png"))]
    r = api.post("/ui/report", data=FORM, files=files)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    number = re.search(r'id="case-number"[^>]*>([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    pin = re.search(r'id="pin"[^>]*>(\d{8})<', r.text).group(1)  # type: ignore[union-attr]
    return number, pin


def audit_actions(live_server: LiveServer) -> list[str]:
    with live_server.app.state.container.uow() as uow:
        return [e.action for e in uow.audit.entries(after_seq=0, limit=1000)]


def test_public_form_receipt_status_and_withdrawal(
    live_server: LiveServer, api: httpx.Client
) -> None:
    seed(live_server.app.state.container)
    page = api.get("/ui/report")
    assert page.status_code == 200 and "신고" in page.text and "good faith" in page.text
    number, pin = file_via_form(api)
    status = api.post("/ui/report/status", data={"case_number": number, "pin": pin})
    assert status.status_code == 200 and "received" in status.text and "pending" in status.text
    wrong = api.post("/ui/report/status", data={"case_number": number, "pin": "99999999"})
    assert wrong.status_code == 404 and 'role="alert"' in wrong.text
    gone = api.post("/ui/report/withdraw", data={"case_number": number, "pin": pin})
    assert gone.status_code == 200 and "withdrawn" in gone.text


def test_public_form_errors_keep_what_was_typed(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    r = api.post("/ui/report", data=FORM | {"good_faith": "", "urls": "https://example.org/x"})
    assert r.status_code == 400 and "good faith" in r.text and "a fake picture of me" in r.text
    bad = api.post("/ui/report", data=FORM | {"hashes": "0123"})
    assert bad.status_code == 400 and "type:value" in bad.text
    corrupt = [("files", ("x.png", b"\x89PNG\r\n\x1a\nbroken", "image/png"))]
    assert api.post("/ui/report", data=FORM, files=corrupt).status_code == 415


def test_queue_and_case_page_blur_media_by_default(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    number, _ = file_via_form(api, "chelsea")
    api.cookies.clear()
    assert api.get("/ui/cases").status_code == 303  # signed out: to the login page
    sign_in(api, "analyst@kcsc.example")
    home = api.get("/ui/")
    assert 'href="/ui/cases"' in home.text
    queue = api.get("/ui/cases")
    assert number in queue.text and "KST" in queue.text
    page = api.get(f"/ui/cases/{number}")
    assert page.status_code == 200
    assert re.search(r'<img class="guarded" src="/ui/cases/[^"]+/media"', page.text)
    assert 'class="revealed"' not in page.text and "Reveal" in page.text
    assert "<code>https://t.me/room</code>" in page.text and 'href="https://t.me' not in page.text
    media_url = re.search(r'src="(/ui/cases/[^"]+/media)"', page.text).group(1)  # type: ignore[union-attr]
    media = api.get(media_url)
    assert media.status_code == 200 and media.headers["cache-control"] == "no-store"
    assert "media.read" in audit_actions(live_server)


def test_reveal_is_audited_and_needs_csrf(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    number, _ = file_via_form(api)
    csrf = sign_in(api, "mod@kcsc.example")
    page = api.get(f"/ui/cases/{number}")
    action = re.search(r'action="(/ui/cases/[^"]+/reveal)"', page.text).group(1)  # type: ignore[union-attr]
    assert api.post(action, data={"csrf": "wrong"}).status_code == 403
    assert "media.reveal" not in audit_actions(live_server)
    fragment = api.post(action, headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert fragment.status_code == 200 and 'class="revealed"' in fragment.text
    assert "<html" not in fragment.text
    plain = api.post(action, data={"csrf": csrf})
    assert plain.status_code == 303 and "reveal=" in plain.headers["location"]
    assert 'class="revealed"' in api.get(plain.headers["location"]).text
    assert audit_actions(live_server).count("media.reveal") == 2


def confirm_form(csrf: str) -> dict[str, object]:
    return {
        "csrf": csrf,
        "outcome": "confirm_illegal",
        "bank": BANK,
        "decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "Art. 14-2",
        "illegal_content_explanation": "deepfake",
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "category_specification": "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
        "content_type": ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_SYNTHETIC_MEDIA"],
        "territorial_scope": "kr, de",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "decision_facts": "",
    }


def test_decision_form_records_and_exports(live_server: LiveServer, api: httpx.Client) -> None:
    c = live_server.app.state.container
    seed(c)
    number, _ = file_via_form(api, "rocket")
    csrf = sign_in(api, "analyst@kcsc.example")
    page = api.get(f"/ui/cases/{number}")
    action = re.search(r'action="(/ui/cases/[^"]+/decide)"', page.text).group(1)  # type: ignore[union-attr]
    assert "illegal_content_legal_ground" in page.text and f"<option>{BANK}</option>" in page.text
    form = confirm_form(csrf)
    missing = api.post(action, data=form)
    assert missing.status_code == 400 and "decision_facts is required" in missing.text
    done = api.post(action, data=form | {"decision_facts": "compared by a person"})
    assert done.status_code == 303
    page = api.get(done.headers["location"])
    assert "confirmed illegal" in page.text and f"added to {BANK}" in page.text
    assert "by user:" not in page.text, "deciders are shown by name to their colleagues"
    link = re.search(r'href="(/ui/cases/[^"]+/statement)"', page.text).group(1)  # type: ignore[union-attr]
    sor = api.get(link)
    assert sor.headers["content-disposition"].startswith("attachment")
    assert sor.json()["territorial_scope"] == ["DE", "KR"]
    assert sor.json()["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"
    actions = audit_actions(live_server)
    assert "decision.create" in actions and "decision.export" in actions
    assert "Decide" not in api.get(f"/ui/cases/{number}").text.split("Items", 1)[1]


def test_other_tenants_cannot_open_the_case_page(
    live_server: LiveServer, api: httpx.Client
) -> None:
    seed(live_server.app.state.container)
    number, _ = file_via_form(api)
    sign_in(api, "flag@flagger.example")
    assert number not in api.get("/ui/cases").text
    assert api.get(f"/ui/cases/{number}").status_code == 404
    assert api.get(f"/ui/cases/{number}/items/1/media").status_code == 404


def test_roles_without_media_rights_see_no_picture(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    number, _ = file_via_form(api)
    from tests.fixtures.cases import principal

    c.review.share(principal(c, "analyst@kcsc.example"), number, "KNPA")
    sign_in(api, "cop@knpa.example")
    page = api.get(f"/ui/cases/{number}?reveal=1")
    assert page.status_code == 200 and "<img" not in page.text and "Reveal" not in page.text
    assert "Decide" not in page.text.split("Items", 1)[1]


def test_a_notice_starts_from_the_case_and_cites_it_by_number(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    number, _ = file_via_form(api, "chelsea")
    csrf = sign_in(api, "analyst@kcsc.example")
    page = api.get(f"/ui/cases/{number}")
    assert "Send a takedown notice" not in page.text, "nothing confirmed yet"
    action = re.search(r'action="(/ui/cases/[^"]+/decide)"', page.text).group(1)  # type: ignore[union-attr]
    form = confirm_form(csrf) | {"decision_facts": "compared by a person"}
    assert api.post(action, data=form).status_code == 303
    page = api.get(f"/ui/cases/{number}")
    assert f'href="/ui/notices/new?case={number}"' in page.text
    new = api.get("/ui/notices/new", params={"case": number})
    hashes = re.search(r'name="hashes"[^>]*>([^<]*)<', new.text).group(1)  # type: ignore[union-attr]
    assert re.search(r"pdq:[0-9a-f]{64}", hashes) and f'value="{number}"' in new.text
    sent = api.post(
        "/ui/notices/new",
        data={
            "csrf": csrf,
            "platform": "Telegram",
            "policy": "kcsc_24h",
            "legal_ground": "Art. 44-7",
            "hashes": hashes,
            "case_id": number,
        },
    )
    assert sent.status_code == 303, sent.text
    notice_id = int(sent.headers["location"].rsplit("/", 1)[1])
    with c.uow() as uow:
        notice = uow.notices.get(notice_id)
        assert notice is not None and notice.case_id is not None
    wrong = api.post(
        "/ui/notices/new",
        data={
            "csrf": csrf,
            "platform": "Telegram",
            "policy": "kcsc_24h",
            "legal_ground": "x",
            "hashes": hashes,
            "case_id": "HC-1999-000009",
        },
    )
    assert wrong.status_code == 400 and "no case HC-1999-000009" in wrong.text
