"""Health checks, configured signal/content types, and hashing (`/status`, `/c/*_type`, `/h/hash`).

HMA checks `/status` by swapping its in-memory index cache for a fake one; a black-box port cannot
reach that cache, so the two status tests stage the matcher's state inside the live server instead.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from haechi.services.matching import Matcher
from tests.conftest import LiveServer, make_settings
from tests.hma.conftest import (
    PHOTO_SIGNALS,
    SIGNAL_TYPES,
    VIDEO_SIGNALS,
    MediaServer,
    collect_leaks,
    error_message,
    photo_signals,
)

ALIVE = "I-AM-ALIVE"


def assert_alive(response: httpx.Response) -> None:
    assert (response.status_code, response.text) == (200, ALIVE)


# -- /status and /status/live ---------------------------------------------------------------------
def test_status_alive_once_index_loaded(api: httpx.Client) -> None:
    assert_alive(api.get("/status"))
    assert_alive(api.get("/status/live"))


def test_status_index_not_loaded(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Matcher, "ready", property(lambda _self: False))
    response = api.get("/status")
    assert response.status_code == 503
    assert response.text == "INDEX-NOT-LOADED"
    # liveness must never depend on the index, or orchestrators restart a cold-starting server
    assert_alive(api.get("/status/live"))


def test_status_index_stale_then_fresh(
    api: httpx.Client, server_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = server_app.state.container.matcher
    monkeypatch.setattr(matcher, "seconds_since_refresh", lambda: 3600.0)
    response = api.get("/status")
    assert response.status_code == 503
    assert response.text == "INDEX-STALE"
    assert_alive(api.get("/status/live"))

    monkeypatch.setattr(matcher, "seconds_since_refresh", lambda: 0.0)
    assert_alive(api.get("/status"))


def test_status_stale_check_off_when_limit_is_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HMA: a staleness limit of 0 seconds means "never report the index as stale"."""
    settings = make_settings(tmp_path, index_stale_after_s=0)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as client:
        matcher = server.server.config.app.state.container.matcher
        monkeypatch.setattr(matcher, "seconds_since_refresh", lambda: 3600.0)
        assert_alive(client.get("/status"))


# -- /c/signal_type and /c/content_type -----------------------------------------------------------
def test_signal_types_listed(api: httpx.Client) -> None:
    response = api.get("/c/signal_type")
    assert response.status_code == 200
    listed = response.json()
    assert isinstance(listed, list)
    # HMA's default configuration lists pdq and video_md5; ours lists pdq, md5, sha256 and vpdq
    assert {entry["name"] for entry in listed} == SIGNAL_TYPES
    for entry in listed:
        assert entry == {"name": entry["name"], "enabled_ratio": 1.0}


def test_content_types_listed(api: httpx.Client) -> None:
    response = api.get("/c/content_type")
    assert response.status_code == 200
    listed = response.json()
    assert sorted(listed, key=lambda e: e["name"]) == [
        {"name": "photo", "enabled": True},
        {"name": "video", "enabled": True},
    ]


# -- GET /h/hash ----------------------------------------------------------------------------------
def test_hash_url(api: httpx.Client, media: MediaServer) -> None:
    url = media.url("image1.jpg")
    response = api.get("/h/hash", params={"url": url})
    assert response.status_code == 200, response.text
    assert response.json() == photo_signals(api, media.data("image1.jpg"))

    # content type from the query overrides the served Content-Type
    as_video = api.get("/h/hash", params={"url": url, "content_type": "video"})
    assert as_video.status_code == 200
    assert set(as_video.json()) == VIDEO_SIGNALS

    # `types` picks a subset of the content type's signal types
    only_pdq = api.get("/h/hash", params={"url": url, "types": "pdq"})
    assert set(only_pdq.json()) == {"pdq"}
    digests = api.get("/h/hash", params={"url": url, "types": "md5, sha256"})
    assert set(digests.json()) == {"md5", "sha256"}


def test_hash_url_bad_selections(api: httpx.Client, media: MediaServer) -> None:
    url = media.url("image1.jpg")
    for params in (
        {"types": "banana"},
        {"types": ","},
        {"content_type": "video", "types": "pdq"},
        {"content_type": "banana"},
    ):
        response = api.get("/h/hash", params={"url": url, **params})
        assert response.status_code == 400, params
        error_message(response)


def test_hash_url_content_type_from_response(api: httpx.Client, media: MediaServer) -> None:
    video = api.get("/h/hash", params={"url": media.url("clip.mp4")})
    assert video.status_code == 200
    assert set(video.json()) == VIDEO_SIGNALS

    text = api.get("/h/hash", params={"url": media.url("notes.txt")})
    assert text.status_code == 400
    assert "content_type" in error_message(text)


def test_hash_url_refuses_invalid_urls(api: httpx.Client) -> None:
    for url in (
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<b>hi</b>",
        "ws://example.com",
        "wss://example.com",
        "example.com",
        "//example.com",
        "http://",
        "https://",
        "",
        "not a url",
        "http:///example.com",
        "http://example.com:abc",
    ):
        response = api.get("/h/hash", params={"url": url})
        assert response.status_code == 400, url
        assert error_message(response).startswith("Invalid or unsafe URL"), url
    assert api.get("/h/hash").status_code == 422


def test_hash_url_fetch_failure(api: httpx.Client, media: MediaServer) -> None:
    response = api.get("/h/hash", params={"url": media.url("missing.jpg")})
    assert response.status_code == 400
    assert error_message(response).startswith("Failed to fetch URL")


def test_hash_url_content_too_large(tmp_path: Path, media: MediaServer) -> None:
    size = len(media.data("image1.jpg"))
    settings = make_settings(tmp_path, fetch_allow_private=True, fetch_max_bytes=size - 1)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as client:
        too_big = client.get("/h/hash", params={"url": media.url("image1.jpg")})
        assert too_big.status_code == 413
        assert "Content too large" in too_big.text
        small = client.get(
            "/h/hash", params={"url": media.url("notes.txt"), "content_type": "video"}
        )
        assert small.status_code == 200, small.text


# -- POST /h/hash ---------------------------------------------------------------------------------
def test_hash_upload(api: httpx.Client, media: MediaServer) -> None:
    data = media.data("image1.jpg")
    assert set(photo_signals(api, data)) == PHOTO_SIGNALS

    # the form field names the content type; a "video" that is really a JPEG still gets digests
    video = api.post("/h/hash", files={"video": ("clip.mp4", data, "video/mp4")})
    assert video.status_code == 200
    assert set(video.json()) == VIDEO_SIGNALS

    only_pdq = api.post("/h/hash", params={"types": "pdq"}, files={"photo": ("a.jpg", data)})
    assert set(only_pdq.json()) == {"pdq"}


def test_hash_upload_bad_requests(api: httpx.Client, media: MediaServer) -> None:
    data = media.data("image1.jpg")
    no_file = api.post("/h/hash", data={"note": "no file here"})
    assert no_file.status_code == 400
    assert error_message(no_file) == "Missing multipart/form-data file upload"

    two_files = api.post("/h/hash", files=[("photo", ("a.jpg", data)), ("photo", ("b.jpg", data))])
    assert two_files.status_code == 400
    assert error_message(two_files) == "Only one file allowed per request"

    unknown_field = api.post("/h/hash", files={"banana": ("a.jpg", data)})
    assert unknown_field.status_code == 400
    assert "content_type" in error_message(unknown_field)
    collect_leaks()
