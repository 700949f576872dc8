"""The transport to another haechi: pinned through the SSRF guard, signature and replay checks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from haechi.adapters.exchanges.haechi_peer import HaechiPeerClient
from haechi.adapters.fetch.http_fetcher import FetchPolicy
from haechi.adapters.signing import FileKeySigner
from haechi.domain.errors import FetchFailed, HaechiError, UnsafeUrl
from haechi.domain.federation import FeedOp
from haechi.services.ports_federation import Credentials

URL = "http://127.0.0.1:9"


def _page(since: str, checkpoint: str, more: bool = False) -> bytes:
    item = {"id": "7", "op": "add", "signals": {"md5": "a" * 32}, "regions": ["KR"]}
    doc = {"since": since, "items": [item], "checkpoint": checkpoint, "more": more}
    return json.dumps(doc).encode()


@pytest.fixture
def signer(tmp_path: Path) -> FileKeySigner:
    return FileKeySigner(tmp_path / "key.pem")


def _client(handler: httpx.MockTransport, *, private: bool = True) -> HaechiPeerClient:
    return HaechiPeerClient(FetchPolicy(allow_private=private), transport=handler)


def _creds(signer: FileKeySigner | None) -> Credentials:
    pem = signer.public_key_pem().decode() if signer else None
    return Credentials(URL, "feed-token", pem, {})


def _signed(signer: FileKeySigner, body: bytes) -> dict[str, str]:
    sig = base64.b64encode(signer.sign(body)).decode()
    return {"X-Haechi-Feed-Signature": f"keyid={signer.key_id},sig={sig}"}


def test_pages_follow_checkpoints_with_the_token_and_verified_signatures(
    signer: FileKeySigner,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        since = request.url.params.get("since", "")
        body = _page(since, "hx1.1", more=True) if not since else _page(since, "hx1.2")
        return httpx.Response(200, content=body, headers=_signed(signer, body))

    pages = list(_client(httpx.MockTransport(handler)).pages(_creds(signer), None))
    assert [p.checkpoint for p in pages] == ["hx1.1", "hx1.2"]
    assert pages[0].items[0].op is FeedOp.ADD and pages[0].items[0].regions == ("KR",)
    assert [r.url.params.get("since") for r in seen] == [None, "hx1.1"]
    assert all(r.headers["authorization"] == "Bearer feed-token" for r in seen)


def test_tampered_replayed_or_refused_pages_are_rejected(signer: FileKeySigner) -> None:
    def tampered(request: httpx.Request) -> httpx.Response:
        body = _page("", "hx1.1")
        return httpx.Response(
            200, content=body.replace(b"KR", b"JP"), headers=_signed(signer, body)
        )

    with pytest.raises(HaechiError, match="signature"):
        list(_client(httpx.MockTransport(tampered)).pages(_creds(signer), None))

    def replayed(request: httpx.Request) -> httpx.Response:
        body = _page("", "hx1.1")  # an old first page, answered to a later `since`
        return httpx.Response(200, content=body, headers=_signed(signer, body))

    with pytest.raises(HaechiError, match="another checkpoint"):
        list(_client(httpx.MockTransport(replayed)).pages(_creds(signer), "hx1.5"))

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"message": "this action needs exchange:read"})

    with pytest.raises(FetchFailed, match="HTTP 403: this action needs exchange:read"):
        list(_client(httpx.MockTransport(refused)).pages(_creds(None), None))

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>")

    with pytest.raises(FetchFailed, match="malformed"):
        list(_client(httpx.MockTransport(garbage)).pages(_creds(None), None))


def test_private_addresses_are_refused_unless_allowed(signer: FileKeySigner) -> None:
    never = httpx.MockTransport(lambda request: pytest.fail("must not connect"))
    with pytest.raises(UnsafeUrl):
        list(_client(never, private=False).pages(_creds(signer), None))
