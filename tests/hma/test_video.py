"""HMA's way of banking a video by URL: digests at once, vPDQ from the background job, then
matched by an HMA client's vPDQ hash of a re-encoded copy."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from haechi.adapters.hashers.vpdq import VpdqSignal
from tests.conftest import LiveServer
from tests.fixtures import videos
from tests.hma.conftest import MediaServer, _Handler


@pytest.fixture(scope="module")
def video_media() -> Iterator[MediaServer]:
    files = {"clip.mp4": (videos.clip("a").read_bytes(), "video/mp4")}
    handler = type("VideoHandler", (_Handler,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield MediaServer(f"http://127.0.0.1:{server.server_address[1]}", files)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_video_banked_by_url_is_matched_in_a_reencoded_copy(
    api: httpx.Client, live_server: LiveServer, video_media: MediaServer
) -> None:
    assert api.post("/c/banks", json={"name": "URL_VIDEOS"}).status_code == 201
    url = video_media.url("clip.mp4")
    r = api.post("/c/bank/URL_VIDEOS/content", params={"url": url})
    assert r.status_code == 200, r.text
    added = r.json()
    assert set(added["signals"]) == {"md5", "sha256"}
    shown = api.get(f"/c/bank/URL_VIDEOS/content/{added['id']}").json()
    assert shown["original_media_uri"] == url

    container = live_server.app.state.container
    deadline = time.monotonic() + 90
    signals: dict[str, str] = {}
    while "vpdq" not in signals and time.monotonic() < deadline:
        container.jobs.run_until_idle(timeout_s=30)
        params = {"include_signals": "true"}
        got = api.get(f"/c/bank/URL_VIDEOS/content/{added['id']}", params=params).json()
        signals = got["signals"]
        time.sleep(0.1)
    assert "vpdq" in signals

    copy = VpdqSignal.hash_file(videos.clip_variant("reencode_h264_crf35")).value
    found = api.get("/m/lookup", params={"signal_type": "vpdq", "signal": copy}).json()
    assert [h["bank_content_id"] for h in found["URL_VIDEOS"]] == [added["id"]]
    raw = api.get(
        "/m/raw_lookup", params={"signal_type": "vpdq", "signal": copy, "include_distance": "true"}
    ).json()
    (match,) = raw["matches"]
    assert match["bank_content_id"] == added["id"] and match["distance"].endswith("%]")
    status = api.get("/m/index/status", params={"signal_type": "vpdq"}).json()
    assert status["vpdq"]["size"] == 1
