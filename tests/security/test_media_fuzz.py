"""Fuzzing of what haechi parses from strangers: images and hashes.

Every outcome must be a hash or one of haechi's own errors (`InvalidInput` and its subclasses
`UnsupportedMedia`/`InvalidSignal`, `MediaTooLarge`) — never a crash or a generic exception — and
over HTTP a 4xx with a JSON message. Hypothesis runs derandomized with no example database, so the
same inputs are tried on every run.
"""

from __future__ import annotations

import struct

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haechi.bootstrap import Container
from haechi.domain.errors import InvalidInput, InvalidSignal, MediaTooLarge
from tests.fixtures import images
from tests.security import media_samples as samples

CLEAN_ERRORS = (InvalidInput, MediaTooLarge)
FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def broken_media(draw: st.DrawFn) -> bytes:
    """A seed image cut short, with bytes flipped, spliced with another, or random bytes."""
    kind = draw(st.sampled_from(["truncate", "flip", "splice", "random", "magic"]))
    data = samples.seed(draw(st.sampled_from(samples.SEED_FORMATS)))
    if kind == "truncate":
        return data[: draw(st.integers(1, len(data) - 1))]
    if kind == "flip":
        mutable = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, min(len(data) - 1, 600)))  # headers and metadata mostly
            mutable[at] = draw(st.integers(0, 255))
        return bytes(mutable)
    if kind == "splice":
        other = samples.seed(draw(st.sampled_from(samples.SEED_FORMATS)))
        return data[: draw(st.integers(1, len(data)))] + other[draw(st.integers(0, len(other))) :]
    if kind == "magic":
        return data[:16] + draw(st.binary(min_size=0, max_size=512))
    return draw(st.binary(min_size=1, max_size=2048))


exif_orientations = st.one_of(
    st.sampled_from([0, 9, 65535, 2**31, -1, "6", 6.0]), st.integers(0, 65535)
)


def _hash_or_clean_error(container: Container, data: bytes) -> str:
    try:
        result = container.hashing.hash_bytes(data, content_type="photo")
    except CLEAN_ERRORS as exc:
        assert exc.message, "an error needs a message for the caller"
        return type(exc).__name__
    assert result.values(), "a hash result must hold at least one signal"
    return "hashed"


@FUZZ
@given(data=broken_media())
def test_broken_images_hash_or_fail_cleanly(container: Container, data: bytes) -> None:
    _hash_or_clean_error(container, data)


@FUZZ
@given(orientation=exif_orientations, fmt=st.sampled_from(["JPEG", "PNG", "WEBP", "TIFF"]))
def test_exif_oddities_never_break_hashing(
    container: Container, orientation: object, fmt: str
) -> None:
    try:
        data = samples.with_exif(orientation, fmt=fmt)
    except (TypeError, ValueError, OverflowError, struct.error):
        return  # Pillow cannot even write this value: nothing to hash
    assert _hash_or_clean_error(container, data) == "hashed"


@pytest.mark.parametrize("name", sorted(samples.polyglots()))
def test_polyglots_and_bombs(container: Container, name: str) -> None:
    outcome = _hash_or_clean_error(container, samples.polyglots()[name])
    if "claiming" in name and "65535x1" not in name:
        assert outcome == "MediaTooLarge"


def test_decompression_bomb_is_refused_before_decoding(container: Container) -> None:
    assert _hash_or_clean_error(container, images.png_bomb(8000, 8000)) == "MediaTooLarge"


hash_texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789abcdefABCDEF", max_size=300),
    # Arabic-Indic digits and fullwidth letters: digits and letters to Unicode, not to hex
    st.text(alphabet="0123456789abcdef \t\n\u0660\u0661\u0669\uff41\uff42", min_size=30),
)


@FUZZ
@given(value=st.one_of(hash_texts, st.integers(), st.none(), st.binary(max_size=64)))
def test_every_signal_type_parses_or_refuses(container: Container, value: object) -> None:
    for name, signal_type in container.registry.signal_types.items():
        try:
            canonical = signal_type.validate(value)  # type: ignore[arg-type]
        except InvalidSignal as exc:
            assert exc.message
            continue
        assert signal_type.validate(canonical) == canonical, name
        assert signal_type.distance(canonical, canonical) == 0, name


@FUZZ
@given(
    signal_type=st.sampled_from(["pdq", "md5", "sha256", "video_md5", "nope", ""]), value=hash_texts
)
def test_http_hash_lookup_answers_4xx_json(api: httpx.Client, signal_type: str, value: str) -> None:
    r = api.get("/m/raw_lookup", params={"signal_type": signal_type, "signal": value})
    assert r.status_code in (200, 400, 404, 422), (r.status_code, r.text)
    assert "message" in r.json() or r.status_code == 200


@settings(FUZZ, max_examples=60)
@given(data=broken_media())
def test_http_upload_answers_4xx_json(api: httpx.Client, data: bytes) -> None:
    r = api.post("/m/lookup", files={"photo": ("x.jpg", data, "image/jpeg")})
    assert r.status_code in (200, 400, 413, 415), (r.status_code, r.text)
    if r.status_code != 200:
        assert r.json()["message"]
