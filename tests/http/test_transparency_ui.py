"""The transparency page of the web UI: who may open it, the report shown inline, downloads."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime

import httpx

from haechi.domain.tenancy import Role
from haechi.http.ui.transparency import last_month
from tests.conftest import LiveServer
from tests.fixtures.transparency import seed_month

PASSWORD = "a long enough password"
OCTOBER = {"first": "2026-10-01", "last": "2026-10-31"}
USERS = (
    ("analyst@kcsc.example", "KCSC", Role.ANALYST),
    ("mod@kcsc.example", "KCSC", Role.MODERATOR),
    ("auditor@tg.example", "Telegram", Role.AUDITOR),
)


def seed(live_server: LiveServer) -> None:
    c = live_server.app.state.container
    seed_month(c)
    for email, org, role in USERS:
        c.auth.create_user(org=org, email=email, password=PASSWORD, roles=frozenset({role}))


def sign_in(api: httpx.Client, email: str) -> None:
    api.cookies.clear()
    assert api.post("/ui/login", data={"email": email, "password": PASSWORD}).status_code == 303


def report_actions(live_server: LiveServer) -> list[str]:
    with live_server.app.state.container.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=1000)
    return [e.action for e in entries if e.action == "transparency.report"]


def test_who_may_open_the_page(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server)
    out = api.get("/ui/transparency")
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    sign_in(api, "mod@kcsc.example")
    assert "/ui/transparency" not in api.get("/ui/").text  # no menu entry for a moderator
    refused = api.get("/ui/transparency")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert api.get("/ui/transparency", params=OCTOBER | {"format": "csv"}).status_code == 403

    sign_in(api, "analyst@kcsc.example")
    assert 'href="/ui/transparency"' in api.get("/ui/").text
    page = api.get("/ui/transparency")
    assert page.status_code == 200 and "<iframe" not in page.text  # opening it makes no report
    first, last = last_month(datetime.now(UTC).date())
    assert f'value="{first.isoformat()}"' in page.text and first.day == 1
    assert f'value="{last.isoformat()}"' in page.text and last.month != date.today().month
    options = re.findall(r'<option value="([^"]+)"', page.text.split('id="format"')[0])
    assert {"KCSC", "Telegram", "Signal", "Seoul Centre"} <= set(options)  # a regulator: any org
    assert report_actions(live_server) == []


def test_report_inline_and_downloads(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server)
    sign_in(api, "analyst@kcsc.example")
    page = api.get("/ui/transparency", params=OCTOBER | {"org": "Telegram"})
    assert page.status_code == 200
    frame = re.search(r'<iframe class="report"[^>]*srcdoc="([^"]*)"', page.text)
    assert frame is not None and 'sandbox="allow-same-origin"' in page.text
    inner = html.unescape(frame.group(1))
    assert inner.startswith("<!doctype html>") and "Transparency report — Telegram" in inner
    assert "received: 7" in inner  # notices Telegram received in October

    csv = api.get("/ui/transparency", params=OCTOBER | {"org": "Telegram", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    disposition = csv.headers["content-disposition"]
    assert disposition == 'attachment; filename="transparency-telegram-2026-10-01-2026-10-31.csv"'
    assert csv.text.startswith("section,metric,key,value")
    pdf = api.get("/ui/transparency", params=OCTOBER | {"format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "transparency-kcsc-" in pdf.headers["content-disposition"]
    body = json.loads(api.get("/ui/transparency", params=OCTOBER | {"format": "json"}).content)
    assert body["identification"]["organisation"] == "KCSC"
    assert body["figures"]["reports"]["total"] == 15  # 1-31 October, both days included
    for fmt in ("csv", "pdf", "json"):  # the page links each download with the same choice
        link = f"org=Telegram&amp;first=2026-10-01&amp;last=2026-10-31&amp;format={fmt}"
        assert link in page.text
    assert report_actions(live_server) == ["transparency.report"] * 4


def test_own_organisation_only_and_bad_input(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server)
    sign_in(api, "auditor@tg.example")
    page = api.get("/ui/transparency", params=OCTOBER)
    assert page.status_code == 200 and '<select id="org"' not in page.text
    assert "Transparency report — Telegram" in html.unescape(page.text)
    other = api.get("/ui/transparency", params=OCTOBER | {"org": "KCSC"})
    assert other.status_code == 403 and "HTTP 403" in other.text
    csv = api.get("/ui/transparency", params=OCTOBER | {"org": "KCSC", "format": "csv"})
    assert csv.status_code == 403
    backwards = api.get("/ui/transparency", params={"first": "2026-11-01", "last": "2026-10-01"})
    assert backwards.status_code == 400 and 'role="alert"' in backwards.text
    assert 'value="2026-11-01"' in backwards.text  # what was typed stays in the form
    words = api.get("/ui/transparency", params={"first": "October", "last": "2026-10-31"})
    assert words.status_code == 400 and "YYYY-MM-DD" in words.text
    xlsx = api.get("/ui/transparency", params=OCTOBER | {"format": "xlsx"})
    assert xlsx.status_code == 400 and "HTTP 400" in xlsx.text

    sign_in(api, "analyst@kcsc.example")
    nobody = api.get("/ui/transparency", params=OCTOBER | {"org": "Nobody"})
    assert nobody.status_code == 404 and "no organisation named" in nobody.text
