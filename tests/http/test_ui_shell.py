"""The web UI shell: sign-in, CSRF on sign-out, redirects, security headers."""

from __future__ import annotations

import re

import httpx

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer


def seed(live_server: LiveServer) -> None:
    container = live_server.app.state.container
    container.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    container.auth.create_user(
        org="KCSC",
        email="a@kcsc.example",
        password="a long password",
        roles=frozenset({Role.ANALYST}),
    )


def test_sign_in_and_out(live_server: LiveServer, api: httpx.Client) -> None:
    seed(live_server)
    r = api.get("/ui/")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    bad = api.post("/ui/login", data={"email": "a@kcsc.example", "password": "nope"})
    assert bad.status_code == 401 and "wrong email or password" in bad.text
    ok = api.post("/ui/login", data={"email": "a@kcsc.example", "password": "a long password"})
    assert ok.status_code == 303
    cookie = ok.cookies["haechi_session"]
    assert "httponly" in ok.headers["set-cookie"].lower()
    home = api.get("/ui/")
    assert home.status_code == 200 and "KCSC" in home.text and "Asia/Seoul" in home.text
    assert home.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in home.headers["content-security-policy"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    refused = api.post("/ui/logout", data={"csrf": "wrong"})
    assert refused.status_code == 403
    out = api.post("/ui/logout", data={"csrf": csrf})
    assert out.status_code == 303
    api.cookies.set("haechi_session", cookie)  # replaying the old session cookie gets nowhere
    assert api.get("/ui/").status_code == 303


def test_static_assets_are_served(api: httpx.Client) -> None:
    assert api.get("/static/haechi.css").status_code == 200
    assert api.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
