"""The victim page's routes over HTTP: hashes only, no oracle, limits per source, PIN pages.

The browser side is tested in tests/e2e; these drive the same routes the way a modified page or a
script would, since the public endpoint must hold whatever the page does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from haechi.adapters.hashers.pdq import PdqSignal
from haechi.config import Settings
from haechi.domain.cases import ItemStatus
from haechi.http.ui.victim_text import TEXT, choose_language
from haechi.services.lookup import LookupOptions
from haechi.services.review import DecisionInput
from tests.conftest import LiveServer, make_settings
from tests.fixtures import images
from tests.fixtures.cases import BANK, bank_photo, principal, seed


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, public_reports_per_hour=4, public_checks_per_hour=6)


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    seed(live_server.app.state.container)
    yield live_server


def picture(name: str = "astronaut", quality: int = 100) -> dict[str, Any]:
    data = images.png_bytes(name)
    return {
        "content_type": "photo",
        "signals": {
            "pdq": PdqSignal.hash_bytes(data).value,
            "md5": hashlib.md5(data).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        "quality": {"pdq": quality},
    }


def report(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"lang": "en", "items": list(items), "confirm": True, **extra}


def test_the_page_is_public_bilingual_and_loads_only_our_own_scripts(
    server: LiveServer, api: httpx.Client
) -> None:
    for lang, title in (("ko", TEXT["ko"]["title"]), ("en", TEXT["en"]["title"])):
        page = api.get("/victim", params={"lang": lang})
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        assert title in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
    page = api.get("/victim", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in page.text
    scripts = re.findall(r"<script[^>]*>", api.get("/victim").text)
    assert all('src="/static/' in s or 'type="application/json"' in s for s in scripts)
    for asset in ("js/pdq.js", "js/md5.js", "js/media.js", "js/victim.js", "victim.css"):
        assert api.get(f"/static/{asset}").status_code == 200


def test_choose_language() -> None:
    assert choose_language("en", "ko") == "en"
    assert choose_language(None, "fr-FR,en;q=0.5,ko;q=0.4") == "en"
    assert choose_language("xx", None) == "ko"
    assert set(TEXT["ko"]) == set(TEXT["en"])


def test_a_report_of_hashes_files_a_case_and_reveals_nothing_about_banks(
    server: LiveServer, api: httpx.Client
) -> None:
    container = server.app.state.container
    bank_photo(container, "astronaut")  # the picture is already banked: must not be told
    answer = api.post("/victim/reports", json=report(picture(), picture("coffee")))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"case_number", "pin", "items"} and body["items"] == 2
    assert answer.headers["cache-control"] == "no-store"
    view = container.review.case(principal(container, "analyst@kcsc.example"), body["case_number"])
    assert [i.status for i in view.items] == [ItemStatus.PENDING] * 2
    assert view.reports[0].fields.reporter_kind.value == "victim"
    assert view.reports[0].fields.channel.value == "web"
    assert all(i.media_key is None for i in view.items), "nothing but hashes was stored"


def test_low_quality_pdq_is_dropped_and_exact_digests_kept(
    server: LiveServer, api: httpx.Client
) -> None:
    container = server.app.state.container
    answer = api.post("/victim/reports", json=report(picture("coffee", quality=20)))
    assert answer.status_code == 201
    view = container.review.case(
        principal(container, "analyst@kcsc.example"), answer.json()["case_number"]
    )
    assert set(view.items[0].signals) == {"md5", "sha256"}


@pytest.mark.parametrize(
    "change",
    [
        {"items": [picture() | {"pixels": "iVBORw0KGgo="}]},  # no field for image data
        {"image": "/9j/4AAQSkZJRg=="},
        {"confirm": False},
        {"items": []},
        {"items": [picture()] * 21},
        {"items": [{"content_type": "video", "signals": {"pdq": "0" * 64}}]},
        {"items": [{"content_type": "photo", "signals": {"md5": "not hex"}}]},
        {"items": [{"content_type": "photo", "signals": {"vpdq": "0" * 64}}]},
    ],
)
def test_anything_but_hashes_is_refused(
    server: LiveServer, api: httpx.Client, change: dict[str, Any]
) -> None:
    answer = api.post("/victim/reports", json=report(picture()) | change)
    assert answer.status_code == 400, answer.text


def test_bodies_must_be_small_json(server: LiveServer, api: httpx.Client) -> None:
    as_form = api.post("/victim/reports", data={"report": "{}"})
    assert as_form.status_code == 400
    huge = report(picture(), location="x" * 40_000)
    assert api.post("/victim/reports", json=huge).status_code == 413
    upload = api.post("/victim/reports", files={"photo": images.png_bytes("astronaut")})
    assert upload.status_code == 400


def test_reports_per_source_are_limited(server: LiveServer, api: httpx.Client) -> None:
    for _ in range(4):
        assert api.post("/victim/reports", json=report(picture("camera"))).status_code == 201
    refused = api.post("/victim/reports", json=report(picture("camera")))
    assert refused.status_code == 429


def status(api: httpx.Client, case: str, pin: str, lang: str = "en") -> httpx.Response:
    return api.post("/victim/status", data={"case_number": case, "pin": pin, "lang": lang})


def test_status_and_withdrawal_with_the_pin(server: LiveServer, api: httpx.Client) -> None:
    body = api.post("/victim/reports", json=report(picture())).json()
    form = api.get("/victim/status", params={"lang": "ko", "case": body["case_number"]})
    assert form.status_code == 200 and body["case_number"] in form.text
    shown = status(api, body["case_number"], body["pin"])
    assert shown.status_code == 200 and TEXT["en"]["item_pending"] in shown.text
    assert shown.headers["cache-control"] == "no-store"
    unconfirmed = api.post(
        "/victim/withdraw",
        data={"case_number": body["case_number"], "pin": body["pin"], "lang": "en"},
    )
    assert unconfirmed.status_code == 400 and TEXT["en"]["error_confirm"] in unconfirmed.text
    done = api.post(
        "/victim/withdraw",
        data={"case_number": body["case_number"], "pin": body["pin"], "confirm": "true"},
    )
    assert done.status_code == 200 and TEXT["ko"]["report_withdrawn"] in done.text
    again = status(api, body["case_number"], body["pin"], "ko")
    assert TEXT["ko"]["item_withdrawn"] in again.text


def test_status_shows_each_step_and_counts_platforms_without_names(
    server: LiveServer, api: httpx.Client
) -> None:
    c = server.app.state.container
    body = api.post("/victim/reports", json=report(picture("chelsea"))).json()
    analyst = principal(c, "analyst@kcsc.example")
    [item] = c.review.case(analyst, body["case_number"]).items
    facts = {"illegal_content_legal_ground": "Art. 14-2", "illegal_content_explanation": "fake"}
    facts["decision_facts"] = "Compared by a person with the reporter's own photo."
    c.review.decide(
        analyst, body["case_number"], item.id, DecisionInput("confirm_illegal", BANK, None, facts)
    )
    for caller in ("TelegramAgent", "KakaoTalkAgent"):
        options = LookupOptions(bypass_coinflip=True, requester=caller, route="api.lookup")
        assert c.lookup.lookup_signal("pdq", item.signals["pdq"], options)
    c.events.flush()
    shown = status(api, body["case_number"], body["pin"]).text
    for key in ("step_received", "step_reviewed", "step_active"):
        assert TEXT["en"][key] in shown
    assert TEXT["en"]["step_matches"].replace("{n}", "2") in shown
    assert TEXT["en"]["step_removed"] not in shown
    assert "TelegramAgent" not in shown and BANK not in shown
    query = {"case_number": body["case_number"], "pin": body["pin"]}
    [progress] = api.post("/api/v1/reports/status", json=query).json()["pictures"]
    assert progress == {
        "status": "confirmed_illegal",
        "received": True,
        "reviewed": True,
        "hashes_active": True,
        "platforms_matched": 2,
        "removed": False,
    }
    korean = status(api, body["case_number"], body["pin"], "ko").text
    assert TEXT["ko"]["step_matches"].replace("{n}", "2") in korean


def test_wrong_pins_and_bad_input_get_plain_answers(server: LiveServer, api: httpx.Client) -> None:
    body = api.post("/victim/reports", json=report(picture())).json()
    wrong = "00000000" if body["pin"] != "00000000" else "11111111"
    missing = status(api, body["case_number"], wrong)
    assert missing.status_code == 404 and TEXT["en"]["error_not_found"] in missing.text
    unknown = status(api, "HC-2026-999999", wrong)
    assert unknown.status_code == 404 and TEXT["en"]["error_not_found"] in unknown.text
    malformed = status(api, "robert'); drop table", "12")
    assert malformed.status_code == 400 and TEXT["en"]["error_input"] in malformed.text
    assert status(api, body["case_number"], wrong).status_code == 404
    assert status(api, body["case_number"], wrong).status_code == 404
    assert status(api, "HC-2026-999998", wrong).status_code == 404
    limited = status(api, body["case_number"], body["pin"])  # the 7th check this hour
    assert limited.status_code == 429 and TEXT["en"]["error_rate"] in limited.text
