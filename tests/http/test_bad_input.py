"""Bad input over HTTP gets a clear 4xx and writes nothing: corrupt, empty, huge, bad hashes."""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import pytest
from PIL import Image

from tests.fixtures import images


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims enormous dimensions (a decompression bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 1024)
    idat_chunk = b"IDAT" + idat
    body += struct.pack(">I", len(idat)) + idat_chunk + struct.pack(">I", zlib.crc32(idat_chunk))
    return b"\x89PNG\r\n\x1a\n" + body + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def truncated_jpeg() -> bytes:
    return images.jpeg_bytes("coffee")[:2000]


BAD_FILES = {
    "empty": (b"", 415),
    "text": (b"hello, this is not an image", 415),
    "truncated": (truncated_jpeg(), 415),
    "bomb": (png_header_claiming(100_000, 100_000), 413),
    "random": (bytes(range(256)) * 40, 415),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_uploads_are_refused_and_nothing_written(api: httpx.Client, name: str) -> None:
    data, status = BAD_FILES[name]
    api.post("/c/banks", json={"name": "B"})
    for path in ("/h/hash", "/m/lookup", "/c/bank/B/content", "/api/v1/hash"):
        r = api.post(path, files={"photo": ("x.bin", data)})
        assert r.status_code == status, (path, r.text)
        assert r.json()["message"]
    assert api.get("/api/v1/banks/B/content").json()["total"] == 0


def test_oversized_upload_is_413(tmp_path: object, api: httpx.Client) -> None:
    big = b"\xff\xd8" + b"\x00" * (51 * 1024 * 1024)
    r = api.post("/h/hash", files={"photo": ("big.jpg", big)})
    assert r.status_code == 413


def test_video_content_type_hashes_exact_digests_only(api: httpx.Client) -> None:
    r = api.post("/h/hash", files={"video": ("clip.mp4", b"not really a video but bytes")})
    assert r.status_code == 200
    assert set(r.json()) == {"md5", "sha256"}


@pytest.mark.parametrize(
    "params",
    [
        {"signal_type": "pdq", "signal": "abc"},
        {"signal_type": "pdq", "signal": "g" * 64},
        {"signal_type": "md5", "signal": "0" * 31},
        {"signal_type": "nope", "signal": "0" * 64},
    ],
)
def test_malformed_hashes_and_unknown_types(api: httpx.Client, params: dict[str, str]) -> None:
    r = api.get("/m/lookup", params=params)
    assert r.status_code == 400
    assert r.json()["message"]


def test_unknown_bank_and_content(api: httpx.Client) -> None:
    assert api.post("/c/bank/NOPE/signal", json={"pdq": "0" * 64}).status_code == 404
    assert api.get("/c/bank/NOPE/content/1").status_code == 404
    assert (
        api.post("/api/v1/banks/NOPE/content", json={"signals": {"pdq": "0" * 64}}).status_code
        == 404
    )


def test_upload_with_two_files_or_none(api: httpx.Client) -> None:
    png = images.png_bytes("camera")
    r = api.post("/h/hash", files=[("photo", ("a.png", png)), ("photo", ("b.png", png))])
    assert r.status_code == 400
    r = api.post("/h/hash", data={"x": "y"})
    assert r.status_code == 400
    r = api.post("/h/hash", files={"sound": ("a.png", png)})
    assert r.status_code == 400


def test_an_image_still_hashes_after_all_that(api: httpx.Client) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buf, format="PNG")
    r = api.post("/h/hash", files={"photo": ("flat.png", buf.getvalue())})
    assert r.status_code == 200
    assert len(r.json()["pdq"]) == 64
