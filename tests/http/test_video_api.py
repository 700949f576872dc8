"""Videos over real HTTP: banked by upload, hashed by a background job, matched in a re-encoded
copy (with both percentages and the matched time ranges), on haechi's API and HMA's routes."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from haechi.adapters.hashers.vpdq import VpdqSignal
from haechi.services.ports_jobs import JobState
from tests.conftest import LiveServer
from tests.fixtures import images, videos


def _bank_video(api: httpx.Client, bank: str = "VIDEOS") -> dict[str, Any]:
    api.post("/api/v1/banks", json={"name": bank})
    data = videos.clip("a").read_bytes()
    r = api.post(f"/api/v1/banks/{bank}/videos", files={"video": ("a.mp4", data)})
    assert r.status_code == 202, r.text
    return dict(r.json())


def _hashed(api: httpx.Client, server: LiveServer, bank: str, content_id: int) -> dict[str, str]:
    """Run the queued jobs (the server's own worker may be running them too) until the
    content carries its vPDQ."""
    container = server.app.state.container
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        container.jobs.run_until_idle(timeout_s=30)
        signals = api.get(f"/api/v1/banks/{bank}/content/{content_id}").json()["signals"]
        if "vpdq" in signals:
            return dict(signals)
        time.sleep(0.2)
    raise AssertionError("the video was never hashed")


def _vpdq(kind: str | None = None, name: str = "a") -> str:
    path = videos.clip(name) if kind is None else videos.clip_variant(kind, name)
    return VpdqSignal.hash_file(path).value


def test_banked_video_is_matched_in_a_reencoded_copy(
    api: httpx.Client, live_server: LiveServer
) -> None:
    banked = _bank_video(api)
    cid = banked["content_id"]
    # the request did the cheap part: exact digests now, vPDQ later
    assert set(banked["signals"]) == {"md5", "sha256"}
    md5 = banked["signals"]["md5"]
    exact = api.post("/api/v1/lookup", json={"signal_type": "md5", "signal": md5})
    assert [m["content_id"] for m in exact.json()["matches"]["md5"]] == [cid]

    signals = _hashed(api, live_server, "VIDEOS", cid)
    jobs = live_server.app.state.container.jobs
    deadline = time.monotonic() + 30  # the server's worker may still be finishing the job
    while jobs.get(banked["job_id"]).state is not JobState.DONE and time.monotonic() < deadline:
        time.sleep(0.1)
    assert jobs.get(banked["job_id"]).state is JobState.DONE
    assert VpdqSignal.validate(signals["vpdq"]) == signals["vpdq"]

    copy = _vpdq("reencode_low_bitrate")
    r = api.post("/api/v1/lookup", json={"signal_type": "vpdq", "signal": copy})
    assert r.status_code == 200, r.text
    (match,) = r.json()["matches"]["vpdq"]
    assert match["content_id"] == cid and match["bank"] == "VIDEOS"
    video = match["video"]
    assert video["query_match_percent"] >= 90 and video["indexed_match_percent"] >= 90
    assert video["query_ranges"] == [{"start": 0.0, "end": 12.0}]
    assert video["indexed_ranges"] == [{"start": 0.0, "end": 12.0}]
    assert 0 <= match["distance"] <= 10  # 100 - the better containment (0: same frames)

    # HMA clients: /m/lookup by hash, distance rendered as HMA renders vPDQ similarity
    hma = api.get("/m/lookup", params={"signal_type": "vpdq", "signal": copy})
    assert hma.status_code == 200, hma.text
    (hit,) = hma.json()["VIDEOS"]
    assert hit["bank_content_id"] == cid
    assert hit["distance"].endswith("%]") and hit["distance"].startswith(
        f"{video['query_match_percent']:.0f}%["
    )
    compared = api.post("/m/compare", json={"vpdq": [copy, signals["vpdq"]]}).json()
    assert compared["vpdq"][0] is True
    assert set(compared["vpdq"][1]) == {"query_match_percent", "compared_match_percent"}


def test_unrelated_video_and_excerpt(api: httpx.Client, live_server: LiveServer) -> None:
    banked = _bank_video(api)
    _hashed(api, live_server, "VIDEOS", banked["content_id"])

    unrelated = {"signal_type": "vpdq", "signal": _vpdq(name="b")}
    assert api.post("/api/v1/lookup", json=unrelated).json()["matches"]["vpdq"] == []
    assert api.get("/m/lookup", params=unrelated).json() == {}

    excerpt = VpdqSignal.hash_file(videos.clip_excerpt(3.0, 5.0)).value
    found = api.post("/api/v1/lookup", json={"signal_type": "vpdq", "signal": excerpt}).json()
    (match,) = found["matches"]["vpdq"]
    assert match["video"]["query_match_percent"] == 100.0
    assert match["video"]["indexed_match_percent"] < 60
    (where,) = match["video"]["indexed_ranges"]
    assert 2.0 <= where["start"] <= 4.0 and 7.0 <= where["end"] <= 9.0

    # a bank can demand that the videos be the same: 0 means every frame found both ways
    api.patch("/api/v1/banks/VIDEOS", json={"thresholds": {"vpdq": 0}})
    strict = api.post("/api/v1/lookup", json={"signal_type": "vpdq", "signal": excerpt})
    assert strict.json()["matches"]["vpdq"] == []


def test_hma_upload_of_a_video_is_hashed_in_the_background(
    api: httpx.Client, live_server: LiveServer
) -> None:
    assert api.post("/c/banks", json={"name": "HMA_VIDEOS"}).status_code == 201
    data = videos.clip("a").read_bytes()
    r = api.post(
        "/c/bank/HMA_VIDEOS/content",
        files={"video": ("a.mp4", data)},
        data={"note": "sample"},
    )
    assert r.status_code == 200, r.text
    added = r.json()
    assert set(added["signals"]) == {"md5", "sha256"}
    signals = _hashed(api, live_server, "HMA_VIDEOS", added["id"])
    assert json.loads(signals["vpdq"])
    found = api.get("/m/lookup", params={"signal_type": "vpdq", "signal": _vpdq("resize_half")})
    assert [h["bank_content_id"] for h in found.json()["HMA_VIDEOS"]] == [added["id"]]


def test_bad_video_uploads_are_refused_and_leave_nothing(
    api: httpx.Client, live_server: LiveServer
) -> None:
    api.post("/api/v1/banks", json={"name": "VIDEOS"})
    for field, name, data, status in (
        ("video", "notes.mp4", b"this is not a video", 415),
        ("video", "coffee.png", images.png_bytes("coffee"), 415),
        ("video", "empty.mp4", b"", 415),
        ("photo", "a.mp4", videos.clip("a").read_bytes(), 400),
    ):
        r = api.post("/api/v1/banks/VIDEOS/videos", files={field: (name, data)})
        assert r.status_code == status, (name, r.text)
        assert r.json()["message"]
    missing = api.post("/api/v1/banks/NOPE/videos", files={"video": ("a.mp4", b"x")})
    assert missing.status_code == 404
    assert api.get("/api/v1/banks/VIDEOS/content").json()["total"] == 0
    assert live_server.app.state.container.jobs.run_until_idle(timeout_s=5) == 0

    # a request never decodes video: asking for vpdq in a request says where to go
    r = api.post("/h/hash", params={"types": "vpdq"}, files={"video": ("a.mp4", b"x")})
    assert r.status_code == 400 and "background job" in r.json()["message"]
    bad = api.post("/api/v1/lookup", json={"signal_type": "vpdq", "signal": "[]"})
    assert bad.status_code == 400
