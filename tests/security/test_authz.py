"""Authorisation review: every route needs credentials except an explicit public list.

Routes are enumerated from the application itself, so a route added later without an auth
dependency fails here until it is either protected or consciously added to `PUBLIC`. The same
walk checks the security headers on every answer, and CSRF on every state-changing UI route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from haechi.config import Settings
from tests.conftest import LiveServer, make_settings
from tests.fixtures.cases import PASSWORD, seed
from tests.security.fuzz_helpers import SERVICE_TOKEN, Route, app_routes, concrete

#: answered without credentials, on purpose (method, path template)
PUBLIC = {
    # health checks, for load balancers and monitoring
    ("GET", "/status"),
    ("GET", "/status/live"),
    # the API description (no data; the routes themselves are protected)
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    # signing in
    ("GET", "/ui/login"),
    ("POST", "/ui/login"),
    # victims and the public report: rate-limited per source, status/withdraw need the report PIN
    ("GET", "/victim"),
    ("POST", "/victim/reports"),
    ("GET", "/victim/status"),
    ("POST", "/victim/status"),
    ("POST", "/victim/withdraw"),
    ("GET", "/ui/report"),
    ("POST", "/ui/report"),
    ("GET", "/ui/report/status"),
    ("POST", "/ui/report/status"),
    ("POST", "/ui/report/withdraw"),
    ("POST", "/api/v1/reports"),
    ("GET", "/api/v1/reports/status"),
    ("POST", "/api/v1/reports/status"),
    ("POST", "/api/v1/reports/withdraw"),
    # public keys, so anyone can verify signed blocklists and exchange feeds
    ("GET", "/api/v1/blocklists/public-key"),
    ("GET", "/api/v1/exchange/key"),
}
SECURE_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")
#: nothing like this may be reachable over HTTP (demo data and resets are CLI-only, refused in prod)
DEV_ONLY = re.compile(r"reset|factory|demo|debug|seed|/dev/|/test", re.IGNORECASE)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, open_access=False, api_tokens=[SERVICE_TOKEN])


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as live:
        seed(live.app.state.container)
        yield live


def _refused(response: httpx.Response, route: Route) -> bool:
    if route.path.startswith("/ui/"):
        return response.status_code == 303 and response.headers["location"] == "/ui/login"
    return response.status_code == 401 and response.headers.get("www-authenticate") == "Bearer"


def test_every_route_needs_credentials_except_the_public_ones(server: LiveServer) -> None:
    routes = list(app_routes(server.app))
    assert len(routes) > 100, "route enumeration found too little"
    public: set[tuple[str, str]] = set()
    with httpx.Client(base_url=server.url, timeout=30) as anon:
        for route in routes:
            r = anon.request(route.method, concrete(route.path), data={"csrf": "x"})
            assert r.status_code < 500, (route, r.status_code, r.text)
            if not route.path.startswith(("/docs", "/redoc")):
                missing = [h for h in SECURE_HEADERS if h not in r.headers]
                assert not missing, (route, missing)
            if not _refused(r, route):
                public.add((route.method, route.path))
    unexpected = public - PUBLIC
    assert not unexpected, f"answered without credentials: {sorted(unexpected)}"


def test_a_wrong_token_is_refused_everywhere_a_token_is_accepted(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for route in app_routes(server.app):
            if (route.method, route.path) in PUBLIC or route.path.startswith("/ui/"):
                continue
            headers = {"Authorization": "Bearer not-a-real-token"}
            r = client.request(route.method, concrete(route.path), headers=headers)
            assert r.status_code == 401, (route, r.status_code)


def test_no_dev_or_demo_routes_are_served(server: LiveServer) -> None:
    offending = [r for r in app_routes(server.app) if DEV_ONLY.search(r.path)]
    assert not offending


def _signed_in(server: LiveServer) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=30)
    r = client.post("/ui/login", data={"email": "analyst@kcsc.example", "password": PASSWORD})
    assert r.status_code == 303
    page = client.get("/ui/").text
    found = re.search(r'name="csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"', page)
    assert found is not None, "the signed-in page carries the CSRF token"
    return client, found.group(1) or found.group(2)


def test_every_state_changing_ui_route_checks_csrf(server: LiveServer) -> None:
    client, csrf = _signed_in(server)
    try:
        checked = _post_everywhere_without_csrf(server, client)
        assert checked >= 10
        # the right token passes the check (the route then does its work)
        assert client.post("/ui/logout", data={"csrf": csrf}).status_code == 303
        assert client.get("/ui/").status_code == 303  # signed out
    finally:
        client.close()


def _post_everywhere_without_csrf(server: LiveServer, client: httpx.Client) -> int:
    checked = 0
    for route in app_routes(server.app):
        key = (route.method, route.path)
        if not route.path.startswith("/ui/") or route.method == "GET" or key in PUBLIC:
            continue
        for given in ({}, {"csrf": "wrong"}):
            r = client.request(route.method, concrete(route.path), data=given)
            assert r.status_code == 403, (route, given, r.status_code, r.text[:200])
            assert "CSRF" in r.text  # the UI's error page (HTML), naming the missing token
        checked += 1
    return checked


def test_session_cookie_is_httponly_and_samesite(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.post("/ui/login", data={"email": "analyst@kcsc.example", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_open_access_opens_matching_only_never_tenant_data(tmp_path: Path) -> None:
    live = LiveServer(make_settings(tmp_path, open_access=True))
    with live, httpx.Client(base_url=live.url, timeout=30) as anon:
        assert anon.get("/c/banks").status_code == 200
        for path in ("/api/v1/cases", "/api/v1/notices", "/api/v1/audit", "/api/v1/jobs"):
            assert anon.get(path).status_code == 401, path
