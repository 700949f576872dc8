"""Webhook transport: POST a signed body through the same SSRF guard as URL fetching.

A webhook URL is chosen by a tenant, so it is as dangerous as any user-supplied URL: it is checked
(public addresses only unless settings allow private networks) and the connection goes to the
address that was checked. Redirects are not followed; the receiver's body is never read beyond
its status, and a short timeout bounds a slow receiver.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.domain.errors import FetchFailed


class GuardedWebhookSender:
    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self._guard = GuardedFetcher(policy)
        self._timeout = policy.timeout_s
        self._transport = transport

    def check(self, url: str) -> None:
        self._guard.check(url)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        pinned, base_headers, extensions = self._guard.pin(url)
        sent = {**base_headers, **headers, "User-Agent": "haechi-webhooks/0.1"}
        try:
            with (
                httpx.Client(
                    transport=self._transport, timeout=self._timeout, follow_redirects=False
                ) as client,
                client.stream(
                    "POST", pinned, content=body, headers=sent, extensions=extensions
                ) as response,
            ):
                return response.status_code
        except httpx.HTTPError as e:
            raise FetchFailed(f"webhook delivery failed: {type(e).__name__}") from None
