"""Transport to another haechi instance's exchange feed, through the SSRF guard.

Every request is pinned to the address the guard checked (no redirects, a deadline, a size cap).
When the source is configured with the publisher's public key, each feed page's Ed25519 signature
(`X-Haechi-Feed-Signature: keyid=…,sig=…` over the exact body) must verify or the page is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.adapters.signing import PublicKey
from haechi.domain.errors import FetchFailed, HaechiError
from haechi.domain.federation import FeedOp
from haechi.services.ports_federation import (
    Credentials,
    OutgoingFeedback,
    RemoteItem,
    RemotePage,
)

FEED_PATH = "/api/v1/exchange/feed"
FEEDBACK_PATH = "/api/v1/exchange/feedback"
SIGNATURE_HEADER = "X-Haechi-Feed-Signature"
PAGE_SIZE = 500
MAX_PAGES_PER_POLL = 10_000


class HaechiPeerClient:
    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self._guard = GuardedFetcher(policy)
        self._policy = policy
        self._transport = transport

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
        since = checkpoint
        for _ in range(MAX_PAGES_PER_POLL):
            query = urlencode({"limit": PAGE_SIZE, **({"since": since} if since else {})})
            status, headers, body = self._send("GET", f"{creds.url}{FEED_PATH}?{query}", creds)
            if status != 200:
                raise FetchFailed(f"feed answered HTTP {status}: {_message(body)}")
            if creds.public_key_pem:
                _verify(creds.public_key_pem, headers.get(SIGNATURE_HEADER, ""), body)
            page = _parse(body, expect_since=since or "")
            yield page
            if not page.more or page.checkpoint == since:
                return
            since = page.checkpoint

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        payload = {"items": [{"id": i.remote_id, "verdict": i.verdict.value} for i in items]}
        status, _, body = self._send(
            "POST", f"{creds.url}{FEEDBACK_PATH}", creds, json.dumps(payload).encode()
        )
        if status != 200:
            raise FetchFailed(f"feedback refused: HTTP {status}: {_message(body)}")

    def _send(
        self, method: str, url: str, creds: Credentials, body: bytes | None = None
    ) -> tuple[int, httpx.Headers, bytes]:
        pinned, headers, extensions = self._guard.pin(url)
        headers["Accept"] = "application/json"
        if creds.token:
            headers["Authorization"] = f"Bearer {creds.token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            with (
                httpx.Client(
                    transport=self._transport,
                    timeout=self._policy.timeout_s,
                    follow_redirects=False,
                ) as client,
                client.stream(
                    method, pinned, headers=headers, content=body, extensions=extensions
                ) as response,
            ):
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > self._policy.max_bytes:
                        raise FetchFailed("feed page too large")
                return response.status_code, response.headers, bytes(data)
        except httpx.HTTPError as e:
            raise FetchFailed(f"exchange source unreachable: {type(e).__name__}") from None


def _verify(pem: str, header: str, body: bytes) -> None:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    key = PublicKey(pem.encode())
    try:
        signature = base64.b64decode(fields.get("sig", ""), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if fields.get("keyid") != key.key_id or not key.check(body, signature):
        raise HaechiError("feed page signature does not verify with the source's public key")


def _parse(body: bytes, *, expect_since: str) -> RemotePage:
    """A page, checked to answer the checkpoint asked for (a replayed signed page does not)."""
    try:
        doc: Any = json.loads(body)
        if str(doc.get("since", "")) != expect_since:
            raise HaechiError("feed page answers another checkpoint (replayed?)")
        items = [
            RemoteItem(
                remote_id=str(raw["id"]),
                op=FeedOp(raw["op"]),
                signals={str(k): str(v) for k, v in dict(raw.get("signals") or {}).items()},
                regions=tuple(str(r) for r in raw.get("regions") or ()),
            )
            for raw in doc["items"]
        ]
        return RemotePage(items, str(doc["checkpoint"]), bool(doc.get("more")))
    except (ValueError, KeyError, TypeError) as e:
        raise FetchFailed(f"malformed feed page: {type(e).__name__}") from None


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return ""
