"""A connector's HTTP client for haechi: hash lookups and room observations.

Connectors reach haechi the way any platform does (a platform organisation's bearer token, usually
over HTTPS). A flaky network or a busy server must not lose a match, so requests are retried on
connection errors, 429 (honouring Retry-After) and 5xx with capped exponential backoff; anything
else haechi refuses (401, 403, 422, …) is raised at once with haechi's own error message, since
sending it again would be refused again. Only hashes and metadata are ever sent.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class HaechiApiError(Exception):
    """haechi could not be reached, or refused the request."""


class HaechiUnavailable(HaechiApiError):
    """Still failing after every retry (network down, haechi overloaded): try again later."""


class HaechiRejected(HaechiApiError):
    """haechi refused the request (bad token, missing permission, invalid body): do not resend."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"haechi refused the request ({status}): {message}")
        self.status = status


@dataclass(frozen=True, slots=True)
class BankMatch:
    signal_type: str
    bank: str
    content_id: int
    distance: int


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    first_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        return min(self.first_delay_s * 2.0**attempt, self.max_delay_s)


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to backoff


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if key in body:
                return str(body[key])[:300]
    return str(body)[:300]


class HaechiClient:
    """The calls a connector makes; one instance per process (it keeps a connection pool)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"authorization": f"Bearer {token}", "user-agent": "haechi-connector"},
            timeout=timeout_s,
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def lookup(self, signal_type: str, value: str) -> list[BankMatch]:
        """Matches of one hash in haechi's enabled banks (`POST /api/v1/lookup`)."""
        body = await self._post("/api/v1/lookup", {"signal_type": signal_type, "signal": value})
        found = body.get("matches", {}) if isinstance(body, dict) else {}
        return [
            BankMatch(signal_type, str(m["bank"]), int(m["content_id"]), int(m["distance"]))
            for m in found.get(signal_type, [])
        ]

    async def observe(self, observation: dict[str, Any]) -> dict[str, Any]:
        """Report a room and its matched posts (`POST /api/v1/rooms/observations`)."""
        body = await self._post("/api/v1/rooms/observations", observation)
        return body if isinstance(body, dict) else {}

    async def _post(self, path: str, payload: dict[str, Any]) -> Any:
        last = "no attempt made"
        for attempt in range(self._retry.attempts):
            wait: float | None = None
            try:
                response = await self._http.post(path, json=payload)
            except httpx.TransportError as e:
                last = f"{type(e).__name__}: {e}"
            else:
                if response.status_code < 300:
                    return response.json()
                if response.status_code not in RETRY_STATUSES:
                    raise HaechiRejected(response.status_code, _detail(response))
                last, wait = f"HTTP {response.status_code}", _retry_after(response)
            if attempt + 1 < self._retry.attempts:
                delay = self._retry.delay(attempt, wait)
                log.warning("haechi %s failed (%s); retrying in %.1f s", path, last, delay)
                await asyncio.sleep(delay)
        raise HaechiUnavailable(f"haechi {path} failed {self._retry.attempts} times: {last}")
