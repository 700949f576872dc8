"""URL fetching with an SSRF guard, a size cap and a deadline.

Every hop (redirects included) is resolved first and refused when any address is loopback,
private, link-local, multicast or reserved (unless settings allow private networks or the host is
explicitly allowed). The connection then goes to the address that was checked, so a DNS answer
that changes between check and connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from haechi.domain.errors import FetchFailed, MediaTooLarge, UnsafeUrl

MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout_s: float = 15.0
    max_bytes: int = 50 * 1024 * 1024
    allow_private: bool = False
    allowed_hosts: tuple[str, ...] = ()


def _address_ok(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


class GuardedFetcher:
    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self._policy = policy
        self._transport = transport

    def check(self, url: str) -> tuple[str, str, int]:
        """Validate a URL; return (host, address to connect to, port)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnsafeUrl("Invalid or unsafe URL provided")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise UnsafeUrl("Invalid or unsafe URL provided") from None
        host = parts.hostname
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise FetchFailed(f"Failed to fetch URL: cannot resolve {host}") from None
        addresses = [ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos]
        trusted = self._policy.allow_private or host in self._policy.allowed_hosts
        if not trusted and not all(_address_ok(a) for a in addresses):
            raise UnsafeUrl("Invalid or unsafe URL provided: address is not public")
        return host, str(addresses[0]), port

    def fetch(self, url: str) -> Fetched:
        deadline = time.monotonic() + self._policy.timeout_s
        with httpx.Client(transport=self._transport, timeout=self._policy.timeout_s) as client:
            for _ in range(MAX_REDIRECTS + 1):
                outcome = self._get(client, url, deadline)
                if isinstance(outcome, Fetched):
                    return outcome
                url = urljoin(url, outcome)
        raise FetchFailed("Failed to fetch URL: too many redirects")

    def pin(self, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """Check `url` and rewrite it to the checked address: (url, headers, httpx extensions).
        Requests sent this way cannot be redirected elsewhere by a changed DNS answer."""
        host, address, port = self.check(url)
        parts = urlsplit(url)
        pinned = parts._replace(
            netloc=f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        )
        headers = {"Host": parts.netloc, "User-Agent": "haechi/0.1"}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return pinned.geturl(), headers, extensions

    def _get(self, client: httpx.Client, url: str, deadline: float) -> Fetched | str:
        """One hop: the fetched media, or the location a redirect points to."""
        pinned, headers, extensions = self.pin(url)
        try:
            with client.stream("GET", pinned, headers=headers, extensions=extensions) as r:
                if r.is_redirect:
                    return str(r.headers.get("location", ""))
                if r.status_code >= 400:
                    raise FetchFailed(f"Failed to fetch URL: HTTP {r.status_code}")
                return Fetched(self._read(r, deadline), r.headers.get("content-type", ""))
        except httpx.HTTPError as e:
            raise FetchFailed(f"Failed to fetch URL: {type(e).__name__}") from None

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._policy.max_bytes:
            raise MediaTooLarge("Content too large")
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > self._policy.max_bytes:
                raise MediaTooLarge("Content too large")
            if time.monotonic() > deadline:
                raise FetchFailed("Failed to fetch URL: took too long")
            chunks.append(chunk)
        return b"".join(chunks)
