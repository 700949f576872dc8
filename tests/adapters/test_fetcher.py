"""The URL fetcher's SSRF guard, size cap, redirects and content type, against a loopback server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.domain.errors import FetchFailed, MediaTooLarge, UnsafeUrl

BODY = b"\x89PNG fake but fine for fetching" * 10


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/image.png")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/image.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/chunked-big":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 1024)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hangs up on purpose when a body is too large


@pytest.fixture
def origin() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://localhost/x.png",
        "http://10.0.0.1/x.png",
        "http://192.168.1.1/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "http://0.0.0.0/x.png",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://example.com:notaport/",
        "not a url",
    ],
)
def test_refuses_private_and_odd_urls(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        GuardedFetcher(FetchPolicy()).fetch(url)


def test_fetches_when_private_networks_are_allowed(origin: str) -> None:
    fetched = GuardedFetcher(FetchPolicy(allow_private=True)).fetch(f"{origin}/image.png")
    assert fetched.data == BODY
    assert fetched.content_type == "image/png"


def test_host_allow_list_admits_a_named_host(origin: str) -> None:
    port = origin.rsplit(":", 1)[1]
    policy = FetchPolicy(allowed_hosts=("localhost",))
    assert GuardedFetcher(policy).fetch(f"http://localhost:{port}/image.png").data == BODY


def test_follows_redirects_but_not_forever(origin: str) -> None:
    fetcher = GuardedFetcher(FetchPolicy(allow_private=True))
    assert fetcher.fetch(f"{origin}/redirect").data == BODY
    with pytest.raises(FetchFailed):
        fetcher.fetch(f"{origin}/loop")


def test_size_cap_applies_with_and_without_content_length(origin: str) -> None:
    fetcher = GuardedFetcher(FetchPolicy(allow_private=True, max_bytes=100))
    with pytest.raises(MediaTooLarge):
        fetcher.fetch(f"{origin}/image.png")
    with pytest.raises(MediaTooLarge):
        fetcher.fetch(f"{origin}/chunked-big")


def test_http_errors_and_unreachable_hosts(origin: str) -> None:
    fetcher = GuardedFetcher(FetchPolicy(allow_private=True, timeout_s=2))
    with pytest.raises(FetchFailed):
        fetcher.fetch(f"{origin}/missing")
    with pytest.raises(FetchFailed):
        fetcher.fetch("http://no-such-host.invalid/x.png")
