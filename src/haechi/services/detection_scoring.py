"""Scoring a batch of case items with every applicable detector, failures kept per item.

A detector that can batch gets the whole batch in one call; if that call fails, the items are
scored one by one so the failure lands on the item that caused it. A detector's exception, a
non-finite score or a missing file becomes that item's error; nothing here raises. Videos go
whole to detectors that take videos, and through sampled frames to those that declare
`VIDEO_FRAMES` (the `video_frames` hook, services/detection_frames.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.cases import CaseItem, ItemStatus
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_detectors import (
    VIDEO_FRAMES,
    BatchDetector,
    Detector,
    MediaInput,
    Signals,
)

__all__ = ["Run", "VideoFrameHook", "content_type", "scorable", "score_items"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Run:
    """One detector's outcome for one item, before it is stored."""

    signals: Signals
    latency_ms: float
    batch_size: int
    error: str | None = None


#: scores one video through its sampled frames: {detector name: run}
VideoFrameHook = Callable[[MediaInput], dict[str, "Run"]]


def scorable(item: CaseItem) -> bool:
    """Items with a file that is still there (a withdrawn report's files are deleted)."""
    return item.media_key is not None and item.status is not ItemStatus.WITHDRAWN


def content_type(item: CaseItem) -> str:
    return "video" if (item.media_type or "").startswith("video/") else "photo"


def checked(signals: Signals) -> Signals:
    for s in signals:
        if not math.isfinite(s.value):
            raise ValueError(f"signal {s.name!r} is not a finite number")
    return signals


def error_text(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"[:500]


def _applicable(detectors: DetectorRegistry, kind: str, frames: bool) -> list[Detector]:
    found = list(detectors.for_kind(kind))
    if kind == "video" and frames:
        found += [d for d in detectors.for_kind(VIDEO_FRAMES) if d not in found]
    return found


def score_items(
    detectors: DetectorRegistry,
    blobs: BlobStore,
    items: list[CaseItem],
    video_frames: VideoFrameHook | None = None,
) -> dict[int, dict[str, Run]]:
    """Every applicable detector's outcome per item: {item id: {detector name: run}}."""
    runs: dict[int, dict[str, Run]] = {i.id: {} for i in items}
    media: dict[int, MediaInput] = {}
    for item in items:
        try:
            data = blobs.get(item.media_key or "")
        except Exception as e:  # a missing file is recorded on its item
            for d in _applicable(detectors, content_type(item), video_frames is not None):
                runs[item.id][d.name] = Run((), 0.0, 1, f"media unavailable: {error_text(e)}")
            continue
        media[item.id] = MediaInput(
            content_type(item),
            data,
            item.signals.get("sha256", ""),
            str(item.id),
            case_id=item.case_id,
        )
    for detector in detectors.all():
        accepted = [(i, m) for i, m in media.items() if m.content_type in detector.input_kinds]
        for item_id, run in run_detector(detector, accepted):
            runs[item_id][detector.name] = run
    if video_frames is not None:
        for item_id, m in media.items():
            if m.content_type == "video":
                runs[item_id].update(video_frames(m))
    return runs


def run_detector(detector: Detector, media: list[tuple[int, MediaInput]]) -> list[tuple[int, Run]]:
    if len(media) > 1 and isinstance(detector, BatchDetector):
        start = time.perf_counter()
        try:
            scored = detector.score_batch([m for _, m in media])
            if len(scored) != len(media):
                raise ValueError(f"{len(scored)} results for {len(media)} inputs")
            each = (time.perf_counter() - start) * 1000 / len(media)
            return [
                (i, Run(checked(s), each, len(media)))
                for (i, _), s in zip(media, scored, strict=True)
            ]
        except Exception:  # retry one by one to pin the failure on its item
            log.info("detector %s: batch failed, scoring items one by one", detector.name)
    return [(i, single(detector, m)) for i, m in media]


def single(detector: Detector, media: MediaInput) -> Run:
    start = time.perf_counter()
    try:
        signals = checked(detector.score(media))
    except Exception as e:  # a detector's failure is recorded, never fatal
        return Run((), (time.perf_counter() - start) * 1000, 1, error_text(e))
    return Run(signals, (time.perf_counter() - start) * 1000, 1)
