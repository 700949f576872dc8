"""haechi's JavaScript PDQ and MD5 against the Python references, run in headless Chromium.

Two questions, kept apart: is the algorithm right (same pixels in, same hash out as `pdqhash`),
and how far does the browser's own decoding move the hash (files in, compared with pdqhash on
Pillow's decoding of the same file)? The second runs every format and EXIF orientation a phone
or messenger produces through the victim page itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pdqhash
import pytest

from haechi.adapters.hashers.decode import decode_image
from haechi.adapters.hashers.pdq import PdqSignal
from tests.conftest import LiveServer
from tests.fixtures import images

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

HASH_RGBA = """async ([b64, width, height]) => {
  const { pdqFromRGBA } = await import("/static/js/pdq.js");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return pdqFromRGBA(bytes, width, height);
}"""
MD5 = """async (b64) => {
  const { Md5 } = await import("/static/js/md5.js");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const md5 = new Md5();
  for (let i = 0; i < bytes.length; i += 1000) md5.update(bytes.subarray(i, i + 1000));
  return md5.hex();
}"""


@pytest.fixture
def page(chromium: Browser, live_server: LiveServer) -> Page:
    opened = chromium.new_page()
    opened.goto(f"{live_server.url}/victim?lang=en")
    return opened


def reference(rgb: np.ndarray) -> tuple[str, int]:
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb, dtype=np.uint8))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def js_pdq(page: Page, rgb: np.ndarray) -> tuple[str, int]:
    height, width, _ = rgb.shape
    rgba = np.dstack([rgb, np.full((height, width), 255, np.uint8)])
    encoded = base64.b64encode(rgba.tobytes()).decode()
    out = page.evaluate(HASH_RGBA, [encoded, width, height])
    return out["hash"], out["quality"]


def pixel_cases() -> list[tuple[str, np.ndarray]]:
    cases = [(n, np.asarray(decode_image(images.source_bytes(n)))) for n in images.PHOTOS]
    photo = images.load("astronaut")
    for size in ((5, 5), (4, 300), (64, 64), (65, 63), (2000, 7), (1999, 1501)):
        cases.append((f"astronaut@{size}", np.asarray(photo.resize(size))))
    cases.append(("flat grey", np.full((48, 80, 3), 128, np.uint8)))
    return cases


def test_same_pixels_give_the_same_hash_as_pdqhash(page: Page) -> None:
    """The algorithm itself: identical pixels, identical 256 bits and quality."""
    for name, rgb in pixel_cases():
        assert js_pdq(page, rgb) == reference(rgb), name


def test_md5_matches_hashlib(page: Page) -> None:
    rng = np.random.default_rng(5)
    for size in (0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 4096 + 3, 100_001):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        got = page.evaluate(MD5, base64.b64encode(data).decode())
        assert got == hashlib.md5(data).hexdigest(), size


def decoding_variants(directory: Path) -> list[tuple[Path, bytes]]:
    """What phones and messengers produce: every EXIF orientation, progressive and 4:4:4 JPEG,
    greyscale, GIF, BMP, lossless WebP, a 12-megapixel photo, and an image too small to hash."""
    coffee = images.load("coffee")
    made = {f"coffee_exif{o}.jpg": images.with_exif_orientation(coffee, o) for o in range(1, 9)}
    made |= {
        "rocket_progressive.jpg": images.encode(
            images.load("rocket"), "JPEG", quality=90, progressive=True
        ),
        "chelsea_444.jpg": images.encode(images.load("chelsea"), "JPEG", quality=92, subsampling=0),
        "camera_grey.jpg": images.encode(images.load("camera", mode="L"), "JPEG", quality=88),
        "chelsea.gif": images.encode(images.load("chelsea"), "GIF"),
        "coins.bmp": images.encode(images.load("coins"), "BMP"),
        "brick_lossless.webp": images.encode(images.load("brick"), "WEBP", lossless=True),
        "astronaut_12mp.jpg": images.camera_jpeg("astronaut", size=(4032, 3024)),
        "tiny.png": images.encode(images.load("color").resize((4, 4)), "PNG"),
    }
    out = []
    for name, data in made.items():
        (directory / name).write_bytes(data)
        out.append((directory / name, data))
    return out


def hashed_on_the_page(page: Page, files: list[tuple[Path, bytes]]) -> list[dict[str, Any]]:
    page.set_input_files("#files", [str(p) for p, _ in files])
    page.wait_for_function(
        "n => document.querySelectorAll('#picked .state.ready').length === n",
        arg=len(files),
        timeout=120_000,
    )
    items: list[dict[str, Any]] = json.loads(page.text_content("#payload") or "{}")["items"]
    return items


def test_browser_decoding_stays_close_to_pillow(page: Page, tmp_path: Path) -> None:
    files = decoding_variants(tmp_path)
    distances: dict[str, int] = {}
    for (path, data), item in zip(files, hashed_on_the_page(page, files), strict=True):
        expected = PdqSignal.hash_bytes(data, fast=False)
        distances[path.name] = PdqSignal.distance(item["signals"]["pdq"], expected.value)
        assert item["signals"]["sha256"] == hashlib.sha256(data).hexdigest()
    counts = {d: list(distances.values()).count(d) for d in sorted(set(distances.values()))}
    print(f"\nbrowser decoding vs Pillow, PDQ bits: {counts}; {distances}")
    assert max(distances.values()) <= 10, distances
    assert statistics.median(distances.values()) <= 2, distances


def test_a_photo_the_browser_cannot_decode_keeps_its_exact_hashes(
    page: Page, tmp_path: Path
) -> None:
    tiff = images.encode(images.load("camera"), "TIFF")
    path = tmp_path / "camera.tiff"
    path.write_bytes(tiff)
    [item] = hashed_on_the_page(page, [(path, tiff)])
    if "pdq" in item["signals"]:  # a Chromium that decodes TIFF: then it must agree
        assert PdqSignal.distance(item["signals"]["pdq"], PdqSignal.hash_bytes(tiff).value) <= 10
    assert item["signals"]["md5"] == hashlib.md5(tiff).hexdigest()
    assert item["content_type"] == "photo"


def test_videos_get_exact_digests_without_being_decoded(page: Page, tmp_path: Path) -> None:
    clip = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4000
    path = tmp_path / "clip.mp4"
    path.write_bytes(clip)
    [item] = hashed_on_the_page(page, [(path, clip)])
    assert item["content_type"] == "video"
    assert item["signals"] == {
        "md5": hashlib.md5(clip).hexdigest(),
        "sha256": hashlib.sha256(clip).hexdigest(),
    }
    assert "Video" in page.inner_text("#picked")
