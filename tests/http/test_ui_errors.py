"""The web UI's errors are pages in its layout; the API and the HMA routes keep answering JSON."""

from __future__ import annotations

import re

import httpx

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures.cases import PASSWORD, seed, upload_report


def sign_in(api: httpx.Client, email: str) -> str:
    assert api.post("/ui/login", data={"email": email, "password": PASSWORD}).status_code == 303
    home = api.get("/ui/")
    return re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]


def is_page(response: httpx.Response, status: int) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("text/html")
        and f"HTTP {status}" in response.text
        and 'href="/static/haechi.css"' in response.text
    )


def test_another_tenants_case_is_an_html_404_and_the_api_stays_json(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    number = upload_report(c).case_number
    token = c.auth.create_token(org="Flagger", name="flagger", roles=frozenset({Role.ANALYST}))
    sign_in(api, "flag@flagger.example")

    page = api.get(f"/ui/cases/{number}")
    assert is_page(page, 404)
    assert "페이지를 찾을 수 없습니다" in page.text and "Not found" in page.text
    assert re.search(r'<a class="button" href="/ui/cases">', page.text)  # back to the queue
    assert '<nav aria-label="main">' in page.text  # in the shell, signed in

    for response in (
        api.get(f"/api/v1/cases/{number}"),  # the same session cookie on the API
        api.get(f"/api/v1/cases/{number}", headers={"Authorization": f"Bearer {token}"}),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"] == "NotFound"
    unknown_api = api.get("/api/v1/no-such-thing")
    assert unknown_api.status_code == 404 and unknown_api.json()["error"] == "HTTPError"
    hma = api.get("/c/bank/no-such-bank", headers={"Authorization": f"Bearer {token}"})
    assert hma.status_code == 404 and set(hma.json()) == {"message"}


def test_refusals_bad_input_and_unknown_pages_render_html(
    live_server: LiveServer, api: httpx.Client
) -> None:
    seed(live_server.app.state.container)
    sign_in(api, "agent@tg.example")
    assert is_page(api.get("/ui/no-such-page"), 404)
    refused = api.post("/ui/logout", data={"csrf": "wrong"})
    assert is_page(refused, 403) and "접근 권한이 없습니다" in refused.text
    assert "CSRF" in refused.text and 'href="/ui/"' in refused.text
    assert is_page(api.get("/ui/jobs?view=nonsense"), 400)
    assert is_page(api.get("/ui/jobs/99999999999999999999999"), 400)
    not_allowed = api.delete("/ui/")
    assert is_page(not_allowed, 405) and "GET" in not_allowed.headers["allow"]
    script = api.get("/ui/jobs?view=<script>alert(1)</script>")
    assert "<script>alert" not in script.text  # the message is escaped like any other text


def test_signed_out_requests_go_to_sign_in(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server.app.state.container)
    plain = api.get("/ui/cases")
    assert plain.status_code == 303 and plain.headers["location"] == "/ui/login"
    htmx = api.get("/ui/jobs", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/ui/login"
    assert htmx.content == b""  # nothing for htmx to swap into the page
    missing = api.post("/ui/login", data={"email": "x@example.org"})
    assert is_page(missing, 422) and "password" in missing.text
    assert 'href="/ui/login"' in missing.text  # no session: the way back is signing in
    public = api.get("/ui/report/no-such-page")  # a victim's way back is the report form
    assert is_page(public, 404) and 'href="/ui/report"' in public.text
