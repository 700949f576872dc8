"""Shared pieces of the HMA compatibility suite: a local media server, bank and content helpers.

HMA's fixtures fetch their pictures from GitHub; these tests never leave the machine. A small
`http.server` on 127.0.0.1 serves benign scikit-image photos, and every server under test is built
with `fetch_allow_private=True` so its SSRF guard lets it reach that loopback address.
"""

from __future__ import annotations

import gc
import hashlib
import http.server
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from haechi.config import Settings
from tests.conftest import LiveServer, make_settings
from tests.fixtures import images

#: what `/m/lookup` and friends answer: bank name -> [{"bank_content_id", "distance"}]
MatchesByBank = dict[str, list[dict[str, Any]]]

#: our signal types; HMA's default configuration has `pdq` and `video_md5` instead
SIGNAL_TYPES = {"pdq", "md5", "sha256", "vpdq"}
PHOTO_SIGNALS = {"pdq", "md5", "sha256"}
VIDEO_SIGNALS = {"md5", "sha256"}


# -- the local media server -----------------------------------------------------------------------
@dataclass(frozen=True)
class MediaServer:
    """Serves fixed bodies by path; `url("image1.jpg")` gives the full address of one."""

    base: str
    files: dict[str, tuple[bytes, str]]

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def data(self, name: str) -> bytes:
        return self.files[name][0]


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:
        found = self.files.get(self.path.lstrip("/").split("?")[0])
        if found is None:
            self.send_error(404)
            return
        body, content_type = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the suite's output is for test results."""


@pytest.fixture(scope="session")
def media() -> Iterator[MediaServer]:
    files = {
        "image1.jpg": (images.jpeg_bytes("astronaut"), "image/jpeg"),
        "image2.jpg": (images.jpeg_bytes("coffee"), "image/jpeg"),
        "clip.mp4": (images.png_bytes("rocket"), "video/mp4"),
        "notes.txt": (b"not a picture at all\n", "text/plain"),
    }
    handler = type("MediaHandler", (_Handler,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="media-server", daemon=True)
    thread.start()
    try:
        yield MediaServer(f"http://127.0.0.1:{server.server_address[1]}", files)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the server under test ------------------------------------------------------------------------
@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """As in tests/conftest.py, but allowed to fetch from the loopback media server."""
    return make_settings(tmp_path, fetch_allow_private=True)


@pytest.fixture
def server_app(live_server: LiveServer) -> FastAPI:
    """The application inside the live server, for the few tests that must stage index state."""
    app = live_server.server.config.app
    assert isinstance(app, FastAPI)
    return app


# -- helpers --------------------------------------------------------------------------------------
def error_message(response: httpx.Response) -> str:
    """HMA answers errors as `{"message": ...}` and nothing else."""
    body = response.json()
    assert set(body) == {"message"}, body
    assert isinstance(body["message"], str)
    return str(body["message"])


def collect_leaks() -> None:
    """Give the server a moment to finish, then collect garbage, so that an upload it left open
    (an unclosed temporary file) fails the test that caused it instead of a later, random one."""
    time.sleep(0.1)
    gc.collect()


def create_bank(api: httpx.Client, name: str) -> None:
    response = api.post("/c/banks", json={"name": name})
    assert response.status_code == 201, response.text
    assert response.json() == {"matching_enabled_ratio": 1.0, "name": name}


def add_url_content(
    api: httpx.Client, bank: str, url: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    """HMA's way of banking a picture: `POST /c/bank/<bank>/content?url=...&content_type=photo`."""
    return api.post(
        f"/c/bank/{bank}/content", params={"url": url, "content_type": "photo"}, json=body
    )


def add_signals(api: httpx.Client, bank: str, signals: dict[str, str]) -> int:
    response = api.post(f"/c/bank/{bank}/signal", json=signals)
    assert response.status_code == 200, response.text
    assert response.json()["signals"] == signals
    content_id = response.json()["id"]
    assert isinstance(content_id, int)
    return content_id


def photo_signals(api: httpx.Client, data: bytes) -> dict[str, str]:
    """Every signal the server derives from a photo; digests cross-checked with hashlib."""
    response = api.post("/h/hash", files={"photo": ("photo.jpg", data, "image/jpeg")})
    assert response.status_code == 200, response.text
    signals: dict[str, str] = response.json()
    assert set(signals) == PHOTO_SIGNALS
    assert signals["md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert signals["sha256"] == hashlib.sha256(data).hexdigest()
    return signals


def add_image_to_bank(
    api: httpx.Client, media: MediaServer, bank: str, name: str, expected_id: int
) -> dict[str, str]:
    """Bank a served image by URL and check HMA's reply: `{"id": n, "signals": {...}}`."""
    response = add_url_content(api, bank, media.url(name))
    assert response.status_code == 200, response.text
    expected = photo_signals(api, media.data(name))
    assert response.json() == {"id": expected_id, "signals": expected}
    return expected


def random_pdq(seed: int) -> str:
    """A reproducible PDQ-shaped hash; two of them are ~128 bits apart, far beyond a match."""
    return format(random.Random(seed).getrandbits(256), "064x")


def flip_bits(pdq: str, count: int) -> str:
    """`pdq` with its lowest `count` bits inverted: exactly `count` apart."""
    return format(int(pdq, 16) ^ ((1 << count) - 1), "064x")
