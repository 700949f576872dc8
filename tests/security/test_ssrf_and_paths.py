"""SSRF tricks against the URL fetcher, and path traversal through upload names and exports."""

from __future__ import annotations

import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.domain.errors import UnsafeUrl
from haechi.domain.hotline import MessageDraft
from haechi.services.hotline import Upload
from tests.conftest import LiveServer
from tests.fixtures import images
from tests.fixtures.cases import fields, principal, seed, upload_report

TRAVERSAL_NAMES = [
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/shadow",
    "a/../../b.png",
]


class Redirector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        port = self.server.server_address[1]  # type: ignore[index]
        self.send_header("Location", f"http://127.0.0.1:{port}/secret")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirector() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f000001/",  # ... in hex
        "http://017700000001/",  # ... in octal
        "http://127.1/",
        "http://0/",
        "http://[::]/",
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped and written in hex
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.1/",
        "http://public.example@127.0.0.1/",  # user-info before the real host
        "http://127.0.0.1:80@example.com/",  # the host is example.com only after '@'
    ],
)
def test_refuses_disguised_private_addresses(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def offline(host: str, *args: Any, **kw: Any) -> Any:
        if host == "example.com":  # no network here: pretend it resolves to loopback (rebinding)
            return real("127.0.0.1", *args, **kw)
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    with pytest.raises(UnsafeUrl):
        GuardedFetcher(FetchPolicy()).fetch(url)


def test_one_private_answer_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [("93.184.216.34", 80), ("10.0.0.7", 80)]

    def mixed(*_a: Any, **_k: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in answers]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with pytest.raises(UnsafeUrl):
        GuardedFetcher(FetchPolicy()).check("http://rebind.example/x.png")


def test_requests_go_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the check's answer is pinned, so a second lookup cannot change the target."""
    calls: list[str] = []

    def public_then_private(host: str, *_a: Any, **_k: Any) -> list[Any]:
        calls.append(host)
        address = "93.184.216.34" if len(calls) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 80))]

    monkeypatch.setattr(socket, "getaddrinfo", public_then_private)
    url, headers, _ext = GuardedFetcher(FetchPolicy()).pin("http://rebind.example/x.png")
    assert url == "http://93.184.216.34:80/x.png"
    assert headers["Host"] == "rebind.example"
    assert calls == ["rebind.example"]


def test_a_trusted_host_cannot_redirect_to_a_private_one(redirector: int) -> None:
    fetcher = GuardedFetcher(FetchPolicy(allowed_hosts=("localhost",)))
    with pytest.raises(UnsafeUrl):
        fetcher.fetch(f"http://localhost:{redirector}/start")


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_upload_names_never_become_paths(
    live_server: LiveServer, api: httpx.Client, tmp_path: Path, name: str
) -> None:
    seed(live_server.app.state.container)
    before = _files_under(tmp_path)
    files = [("file", (name, images.png_bytes("coffee"), "image/png"))]
    r = api.post("/api/v1/reports", data={"report": json.dumps(fields())}, files=files)
    assert r.status_code == 201, r.text
    created = _files_under(tmp_path) - before
    blobs = tmp_path / "blobs"
    assert any(p.is_relative_to(blobs) for p in created), "the upload was stored"
    for path in created:
        if path.suffix in (".db", ".db-journal", ".db-wal", ".db-shm", ".key", ".pem"):
            continue
        assert path.is_relative_to(blobs), path
        assert len(path.name) == 64 and set(path.name) <= set("0123456789abcdef"), path
    assert not Path("/etc/passwd.png").exists()


def test_evidence_package_entry_names_are_safe(live_server: LiveServer) -> None:
    c = live_server.app.state.container
    seed(c)
    number = upload_report(c).case_number
    analyst = principal(c, "analyst@kcsc.example")
    draft = MessageDraft("see attached", None, None)
    upload = Upload("../../../../tmp/evil.sh", "text/plain", b"#!/bin/sh\n")
    c.hotline.threads.post(analyst, number, draft, [upload])
    package = c.hotline.evidence.export(analyst, number)
    with zipfile.ZipFile(BytesIO(package)) as archive:
        for info in archive.infolist():
            assert not info.filename.startswith(("/", "\\")), info.filename
            assert ".." not in info.filename.split("/"), info.filename
