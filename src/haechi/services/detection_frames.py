"""Photo detectors on videos (issue 7): score sampled frames in a batch, summarise per video.

A detector that declares `VIDEO_FRAMES` among its input kinds (and does not take whole videos)
scores a reported video through the frames a `FrameSampler` takes from it (bounded: one a second
up to the configured number, spread evenly over a longer video). All of a video's frames go to the
detector in one batch. Per signal, the stored value is the *highest* frame score, so a rule such as
`nudity >= 0.8` routes a video in which any sampled moment scores high; the detail keeps the mean,
the timestamp of the highest frame (where a reviewer should look first), every frame's score, and
the time spent decoding frames and in the model. A video that cannot be decoded, or whose every
frame fails, is recorded as that item's error; frames that fail among good ones are listed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from haechi.services.detection_scoring import Run, error_text, run_detector
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.ports_detectors import (
    VIDEO_FRAMES,
    Detector,
    DetectorScore,
    FrameSampler,
    MediaInput,
    Signals,
)

__all__ = ["FrameScoring", "frame_detectors", "summarise"]


def frame_detectors(detectors: DetectorRegistry) -> tuple[Detector, ...]:
    """Detectors that score videos through sampled frames (those taking whole videos do not)."""
    return tuple(
        d for d in detectors.all() if VIDEO_FRAMES in d.input_kinds and "video" not in d.input_kinds
    )


class FrameScoring:
    """Scores one video with every frame detector; the `video_frames` hook of `score_items`."""

    def __init__(self, detectors: DetectorRegistry, sampler: FrameSampler) -> None:
        self._detectors = detectors
        self._sampler = sampler

    def __call__(self, media: MediaInput) -> dict[str, Run]:
        detectors = frame_detectors(self._detectors)
        if not detectors:
            return {}
        start = time.perf_counter()
        try:
            stills = self._sampler.sample(media.data)
        except Exception as e:  # a video that cannot be decoded is recorded on its item
            spent = (time.perf_counter() - start) * 1000
            return {d.name: Run((), spent, 1, f"video frames: {error_text(e)}") for d in detectors}
        decode_ms = (time.perf_counter() - start) * 1000
        frames = [
            (k, MediaInput("photo", s.data, media.sha256, f"{media.item_ref}@{s.timestamp_s:g}s",
                           case_id=media.case_id))
            for k, s in enumerate(stills)
        ]  # fmt: skip
        times = [s.timestamp_s for s in stills]
        return {d.name: summarise(run_detector(d, frames), times, decode_ms) for d in detectors}


def summarise(
    frame_runs: Sequence[tuple[int, Run]], times: Sequence[float], decode_ms: float
) -> Run:
    """One run for the video from its frames' runs (frame k was taken at `times[k]`)."""
    model_ms = math.fsum(r.latency_ms for _, r in frame_runs)
    latency = decode_ms + model_ms
    ok = [(times[k], r.signals) for k, r in frame_runs if r.error is None]
    failed = [(times[k], r.error) for k, r in frame_runs if r.error is not None]
    if not ok:
        at, error = failed[0] if failed else (0.0, "no frames")
        return Run((), latency, max(1, len(frame_runs)), f"frame at {at:g} s: {error}")
    timing: dict[str, Any] = {
        "frames": len(ok),
        "decode_ms": round(decode_ms, 3),
        "model_ms": round(model_ms, 3),
    }
    if failed:
        timing["failed_frames_s"] = [at for at, _ in failed]
    return Run(_per_signal(ok, timing), latency, len(frame_runs))


def _per_signal(scored: list[tuple[float, Signals]], timing: dict[str, Any]) -> Signals:
    by_name: dict[str, list[tuple[float, DetectorScore]]] = {}
    for at, signals in scored:
        for s in signals:
            by_name.setdefault(s.name, []).append((at, s))
    out = []
    for name, found in by_name.items():
        top_at, top = max(found, key=lambda pair: pair[1].value)  # the earliest of equal highs
        values = [s.value for _, s in found]
        detail = {
            **top.detail,
            **timing,
            "max": top.value,
            "mean": round(math.fsum(values) / len(values), 6),
            "max_at_s": top_at,
            "timeline": [[at, s.value] for at, s in found],
        }
        out.append(DetectorScore(name, top.value, detail))
    return tuple(out)
