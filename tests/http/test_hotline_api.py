"""The hotline API: thread tenancy over HTTP, posting, receipts, and the evidence download."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from haechi.adapters.signing import PublicKey
from haechi.bootstrap import Container
from haechi.domain.evidence import verify_package
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures.cases import seed, upload_report


@pytest.fixture
def c(live_server: LiveServer) -> Iterator[Container]:
    container: Container = live_server.app.state.container
    seed(container)
    yield container


@pytest.fixture
def url(live_server: LiveServer) -> str:
    return live_server.url


def _client(c: Container, url: str, org: str, role: Role) -> httpx.Client:
    token = c.auth.create_token(org=org, name=f"{org}-bot", roles=frozenset({role}))
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_thread_over_http(c: Container, url: str) -> None:
    number = upload_report(c, "coffee").case_number
    with (
        _client(c, url, "KCSC", Role.ANALYST) as kcsc,
        _client(c, url, "KNPA", Role.INVESTIGATOR) as knpa,
    ):
        _story(c, number, kcsc, knpa)


def _story(c: Container, number: str, kcsc: httpx.Client, knpa: httpx.Client) -> None:
    base = f"/api/v1/cases/{number}"
    assert knpa.get(f"{base}/messages").status_code == 404
    assert knpa.post(f"{base}/messages", json={"body": "hi"}).status_code == 404
    assert kcsc.post(f"{base}/share", json={"org": "KNPA"}).status_code == 200
    posted = kcsc.post(
        f"{base}/messages", json={"body": "data?", "to_org": "KNPA", "reply_within_h": 4}
    )
    assert posted.status_code == 201, posted.text
    files = {"file": ("records.csv", b"a,b", "text/csv")}
    reply = knpa.post(f"{base}/messages", data={"body": "attached"}, files=files)
    assert reply.status_code == 201, reply.text
    assert knpa.post(f"{base}/messages/read", json={"message_ids": None}).json() == {"new": 2}
    thread = kcsc.get(f"{base}/messages").json()
    assert [m["body"] for m in thread["messages"]] == ["data?", "attached"]
    assert thread["messages"][0]["reply_clock"]["answered_at"] is not None
    assert thread["messages"][0]["read_by"][0]["org"] == "KNPA"
    sha = thread["messages"][1]["attachments"][0]["sha256"]
    assert kcsc.get(f"{base}/attachments/{sha}").content == b"a,b"
    package = knpa.get(f"{base}/evidence")
    assert package.headers["content-type"] == "application/zip"
    key = PublicKey(c.hotline.evidence.public_key_pem())
    assert verify_package(package.content, key_id=key.key_id, check=key.check).ok


def test_thread_page_posts_and_shows_overdue_state(c: Container, api: httpx.Client) -> None:
    from tests.http.test_review_ui import sign_in

    number = upload_report(c, "coffee").case_number
    csrf = sign_in(api, "analyst@kcsc.example")
    case_page = api.get(f"/ui/cases/{number}")
    assert f"/ui/cases/{number}/thread" in case_page.text
    form = {"csrf": csrf, "body": "Anyone there?", "to_org": "", "reply_within_h": "24"}
    assert api.post(f"/ui/cases/{number}/thread", data=form).status_code == 303
    page = api.get(f"/ui/cases/{number}/thread")
    assert page.status_code == 200 and "Anyone there?" in page.text
    assert api.post(f"/ui/cases/{number}/thread", data={"body": "x"}).status_code == 403
    assert api.get(f"/ui/cases/{number}/evidence").headers["content-type"] == "application/zip"
