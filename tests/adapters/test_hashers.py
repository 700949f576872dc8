"""Hashing adapters: PDQ against its reference, safe decoding of hostile input, orientation."""

from __future__ import annotations

import functools
import io
import os
import warnings
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from haechi.adapters import hashers
from haechi.adapters.hashers.decode import DecodeLimits, decode_image, decode_luma_blocks
from haechi.adapters.hashers.pdq import DIHEDRAL_ORDER, PdqSignal
from haechi.domain.errors import HaechiError, MediaTooLarge, UnsupportedMedia
from haechi.domain.signals import HashOutput, SignalRegistry
from tests.fixtures import images

# Beyond the bundled photos at native size, the fast path's reduced decoding needs big inputs.
_CAMERA = ("astronaut", "brick", "page")


@pytest.fixture(scope="module")
def camera_jpegs() -> dict[str, bytes]:
    return {name: images.camera_jpeg(name) for name in _CAMERA}


@pytest.fixture
def no_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    assert [str(w.message) for w in caught] == []


def _bits(a: str, b: str) -> int:
    return PdqSignal.distance(a, b)


# -- PDQ against the reference --------------------------------------------------------------------


@pytest.mark.parametrize("name", images.PNG_PHOTOS)
def test_reference_mode_equals_threatexchange_exactly(name: str) -> None:
    data = images.source_bytes(name)
    expected_hash, expected_quality = pdq_from_bytes(data)
    assert PdqSignal.hash_bytes(data, fast=False) == (HashOutput(expected_hash, expected_quality))


def test_fast_mode_is_within_10_bits_everywhere(camera_jpegs: dict[str, bytes]) -> None:
    inputs = {n: images.source_bytes(n) for n in images.PHOTOS}
    inputs |= {f"{n}@2048.jpg": data for n, data in camera_jpegs.items()}
    inputs["coffee@1024.png"] = images.encode(
        images.camera_photo("coffee", size=(1024, 768)), "PNG"
    )
    distances = {}
    for label, data in inputs.items():
        fast = PdqSignal.hash_bytes(data)
        reference = PdqSignal.hash_bytes(data, fast=False)
        distances[label] = _bits(fast.value, reference.value)
        assert abs((fast.quality or 0) - (reference.quality or 0)) <= 2, label
    assert max(distances.values()) <= 10, distances


def test_fast_mode_handles_unusual_modes() -> None:
    astronaut = images.resized(images.load("astronaut"), 0.5)
    variants = {
        "P+transparency": images.encode(astronaut.quantize(64), "PNG", transparency=0),
        "LA": images.encode(astronaut.convert("LA"), "PNG"),
        "1": images.encode(astronaut.convert("1"), "PNG"),
        "CMYK": images.encode(astronaut.convert("CMYK"), "JPEG", quality=95),
        "I;16": images.encode(images.resized(images.load("camera"), 0.5).convert("I;16"), "PNG"),
        "webp": images.encode(astronaut, "WEBP", quality=90),
    }
    for label, data in variants.items():
        fast, reference = PdqSignal.hash_bytes(data), PdqSignal.hash_bytes(data, fast=False)
        assert _bits(fast.value, reference.value) <= 10, label


def test_quality_is_reported_not_used_to_drop() -> None:
    flat = images.encode(Image.new("RGB", (200, 150), (120, 120, 120)), "PNG")
    for fast in (True, False):
        output = PdqSignal.hash_bytes(flat, fast=fast)
        assert PdqSignal.min_quality is not None and output.quality is not None
        assert output.quality < PdqSignal.min_quality
        assert PdqSignal.validate(output.value) == output.value


def test_tiny_images_hash_to_zero_like_pdqhash() -> None:
    tiny = images.encode(Image.new("RGB", (4, 40), (200, 10, 10)), "PNG")
    for fast in (True, False):
        assert PdqSignal.hash_bytes(tiny, fast=fast) == HashOutput("0" * 64, 0)


def test_animated_images_hash_their_first_frame() -> None:
    first = images.resized(images.load("astronaut"), 0.5)
    second = images.resized(images.load("camera"), 0.5)
    buffer = io.BytesIO()
    first.save(buffer, "GIF", save_all=True, append_images=[second], duration=100)
    only_first = images.encode(first, "GIF")
    for fast in (True, False):
        animated = PdqSignal.hash_bytes(buffer.getvalue(), fast=fast)
        assert animated == PdqSignal.hash_bytes(only_first, fast=fast)


# -- dihedral -------------------------------------------------------------------------------------


def test_dihedral_gives_eight_hashes_the_first_being_the_plain_hash() -> None:
    data = images.png_bytes("coffee")
    for fast in (True, False):
        dihedral = PdqSignal.hash_dihedral(data, fast=fast)
        assert len(dihedral) == len(DIHEDRAL_ORDER) == 8
        assert dihedral[0] == PdqSignal.hash_bytes(data, fast=fast)
        assert len({h.value for h in dihedral}) == 8


@pytest.fixture(scope="module")
def astronaut_dihedral() -> list[HashOutput]:
    return PdqSignal.hash_dihedral(images.png_bytes("astronaut"))


@pytest.mark.parametrize(
    ("transpose", "expected"),
    [
        (Image.Transpose.ROTATE_90, "rotate90"),
        (Image.Transpose.ROTATE_180, "rotate180"),
        (Image.Transpose.ROTATE_270, "rotate270"),
        (Image.Transpose.FLIP_TOP_BOTTOM, "flip_x"),
        (Image.Transpose.FLIP_LEFT_RIGHT, "flip_y"),
        (Image.Transpose.TRANSPOSE, "flip_plus1"),
        (Image.Transpose.TRANSVERSE, "flip_minus1"),
    ],
)
def test_dihedral_entries_match_transformed_images(
    transpose: Image.Transpose, expected: str, astronaut_dihedral: list[HashOutput]
) -> None:
    image, dihedral = images.load("astronaut"), astronaut_dihedral
    turned = PdqSignal.hash_bytes(images.encode(image.transpose(transpose))).value
    distances = [_bits(turned, h.value) for h in dihedral]
    assert distances.index(min(distances)) == DIHEDRAL_ORDER.index(expected)
    assert min(distances) <= 20


# -- EXIF orientation -----------------------------------------------------------------------------


def test_exif_orientation_6_jpeg_hashes_like_the_upright_photo() -> None:
    upright = images.load("chelsea")
    rotated = images.with_exif_orientation(upright, 6)
    assert Image.open(io.BytesIO(rotated)).size == (upright.height, upright.width)
    plain = PdqSignal.hash_bytes(images.encode(upright, "JPEG", quality=90)).value
    for fast in (True, False):
        assert _bits(PdqSignal.hash_bytes(rotated, fast=fast).value, plain) <= 8


@pytest.fixture(scope="module")
def odd_sized() -> tuple[Image.Image, str]:
    """An upright photo with odd sides (a mirrored axis then has its partial block first)."""
    upright = ImageOps.fit(images.load("coffee"), (403, 213))
    return upright, PdqSignal.hash_bytes(images.encode(upright), fast=False).value


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_like_pillow(
    orientation: int, odd_sized: tuple[Image.Image, str]
) -> None:
    upright, reference = odd_sized
    data = images.with_exif_orientation(upright, orientation, fmt="PNG")
    assert decode_image(data).tobytes() == upright.tobytes()
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L")
    blocks = decode_luma_blocks(data, min_side=10_000)  # scale 1: exact pixels
    assert np.array_equal(blocks.pixels, np.asarray(expected, dtype=np.float32))
    assert PdqSignal.hash_bytes(data, fast=False).value == reference
    assert _bits(PdqSignal.hash_bytes(data).value, reference) <= 4
    coarse = decode_luma_blocks(data, min_side=50)  # scale 4, partial blocks on both axes
    assert coarse.rows.scale == 4 and coarse.pixels.shape == (54, 101)


@pytest.fixture(scope="module")
def odd_sized_camera_photo() -> Image.Image:
    return images.camera_photo("motorcycle_left", size=(2050, 1539))


@pytest.mark.parametrize("orientation", [2, 6, 7])
def test_reduced_jpeg_decoding_respects_orientation(
    orientation: int, odd_sized_camera_photo: Image.Image
) -> None:
    data = images.with_exif_orientation(odd_sized_camera_photo, orientation)
    fast, reference = PdqSignal.hash_bytes(data), PdqSignal.hash_bytes(data, fast=False)
    assert _bits(fast.value, reference.value) <= 10


# -- hostile and broken input ---------------------------------------------------------------------


def _truncated_jpeg() -> bytes:
    data = images.jpeg_bytes("astronaut")
    return data[: len(data) // 2]


_UNSUPPORTED: dict[str, Callable[[], bytes]] = {
    "zero bytes": lambda: b"",
    "truncated jpeg": _truncated_jpeg,
    "truncated png": lambda: images.png_bytes("camera")[:5000],
    "random bytes": lambda: np.random.default_rng(1).bytes(4096),
    "text file": lambda: b"Dear hotline,\nplease find attached ...\n" * 20,
    "svg": lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    "pdf": lambda: b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    "gif header then html": lambda: images.gif_claiming_size(16, 16)[:13] + b"<html>" * 50,
    "jpeg magic then zip": lambda: b"\xff\xd8\xff\xe0" + b"PK\x03\x04" + os.urandom(512),
    "pcx (not allowed)": lambda: images.encode(images.load("camera"), "PCX"),
    "tga (not allowed)": lambda: images.encode(images.load("camera"), "TGA"),
}


@pytest.mark.parametrize("case", sorted(_UNSUPPORTED))
@pytest.mark.parametrize("fast", [True, False])
def test_broken_input_is_unsupported_media(
    case: str, fast: bool, no_warnings: list[warnings.WarningMessage]
) -> None:
    data = _UNSUPPORTED[case]()
    with pytest.raises(UnsupportedMedia):
        PdqSignal.hash_bytes(data, fast=fast)


@functools.cache
def _png_bomb_8000() -> bytes:
    return images.png_bomb(8000, 8000)


_TOO_LARGE: dict[str, Callable[[], bytes]] = {
    "png claiming 100000x100000": lambda: images.png_claiming_size(100_000, 100_000),
    "png bomb 8000x8000": _png_bomb_8000,
    "gif claiming 9000x9000 (under pillow's limit)": lambda: images.gif_claiming_size(9000, 9000),
    "gif claiming 12000x12000 (pillow warns)": lambda: images.gif_claiming_size(12000, 12000),
    "gif claiming 20000x20000 (pillow raises)": lambda: images.gif_claiming_size(20000, 20000),
}


@pytest.fixture
def decoding_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.mark.parametrize("case", sorted(_TOO_LARGE))
@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.usefixtures("decoding_forbidden")
def test_oversized_images_are_refused_before_decoding(
    case: str, fast: bool, no_warnings: list[warnings.WarningMessage]
) -> None:
    with pytest.raises(MediaTooLarge):
        PdqSignal.hash_bytes(_TOO_LARGE[case](), fast=fast)


@pytest.mark.usefixtures("decoding_forbidden")
def test_pixel_limit_is_configurable(no_warnings: list[warnings.WarningMessage]) -> None:
    limits = DecodeLimits(max_pixels=1_000_000)
    with pytest.raises(MediaTooLarge, match="1000000 pixels"):
        PdqSignal.hash_bytes(images.png_bomb(1200, 1000), limits=limits)


def test_files_over_max_bytes_are_refused(no_warnings: list[warnings.WarningMessage]) -> None:
    data = images.png_bytes("camera")
    with pytest.raises(MediaTooLarge):
        PdqSignal.hash_bytes(data, limits=DecodeLimits(max_bytes=len(data) - 1))
    padded = images.jpeg_bytes("camera") + b"\x00" * DecodeLimits().max_bytes
    with pytest.raises(MediaTooLarge, match="bytes"):
        PdqSignal.hash_bytes(padded)


def test_errors_belong_to_the_haechi_tree() -> None:
    assert issubclass(UnsupportedMedia, HaechiError) and issubclass(MediaTooLarge, HaechiError)


# -- package surface ------------------------------------------------------------------------------


def test_package_exports_and_defaults() -> None:
    for name in hashers.__all__:
        assert hasattr(hashers, name), name
    registry = SignalRegistry(hashers.default_signal_types(), hashers.default_content_types())
    assert sorted(registry.signal_types) == ["md5", "pdq", "sha256", "vpdq"]
    assert sorted(registry.hashers_for("photo")) == ["md5", "pdq", "sha256"]
    assert sorted(registry.hashers_for("video")) == ["md5", "sha256", "vpdq"]
    assert registry.content_type_for_mime("image/jpeg") is hashers.PhotoContent
    assert registry.content_type_for_mime("video/mp4") is hashers.VideoContent
