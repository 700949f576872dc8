"""`GET /api/v1/transparency` on a live server: formats, who may ask, and bad input."""

from __future__ import annotations

import json

import httpx

from tests.conftest import LiveServer
from tests.fixtures.transparency import seed_month

URL = "/api/v1/transparency"
OCTOBER = {"from": "2026-10-01", "to": "2026-11-01"}


def test_formats_permissions_and_bad_input(live_server: LiveServer, api: httpx.Client) -> None:
    seeded = seed_month(live_server.app.state.container)

    def get(token: str | None, **params: str) -> httpx.Response:
        headers = {} if token is None else {"Authorization": f"Bearer {seeded.tokens[token]}"}
        return api.get(URL, params=OCTOBER | params, headers=headers)

    body = get("kcsc_admin").json()
    assert body["identification"]["organisation"] == "KCSC"
    assert body["figures"]["reports"]["total"] == 15
    assert body["sections"]["notices_art_16"]["takedown_notices_sent"] == 13
    csv = get("kcsc_admin", format="csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.startswith("section,metric,key,value")
    pdf = get("kcsc_admin", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    html = get("telegram_admin", format="html")
    assert html.status_code == 200 and "Transparency report — Telegram" in html.text
    other = get("kcsc_admin", org="Telegram").json()
    assert other["identification"]["organisation"] == "Telegram"
    assert other["figures"]["notices"]["received"] == 7

    assert get(None).status_code == 401
    assert get("kcsc_moderator").status_code == 403
    assert get("signal_agent").status_code == 403
    assert get("knpa_investigator").status_code == 403
    assert get("telegram_admin", org="KCSC").status_code == 403
    assert get("kcsc_admin", org="Nobody").status_code == 404
    for bad in (
        {"format": "xlsx"},
        {"from": "2026-11-01", "to": "2026-10-01"},
        {"from": "October"},
        {"from": "2024-01-01", "to": "2026-01-01"},
    ):
        response = get("kcsc_admin", **bad)
        assert response.status_code == 400, bad
        assert json.loads(response.text)["error"] == "InvalidInput", bad
    assert api.get(URL, params={"from": "2026-10-01"}, headers={
        "Authorization": f"Bearer {seeded.tokens['kcsc_admin']}"}).status_code == 422  # fmt: skip
