"""Port for deepfake / abuse signals beyond hashes (issue 7): detectors score media, results are
stored per item, and routing rules turn them into review priority. A detector never removes
content: its scores only route items to human review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class MediaInput:
    """What a detector sees: the bytes of one reported or matched item, and where it came from."""

    content_type: str  # "photo" | "video"
    data: bytes
    sha256: str
    #: the case item / bank content it belongs to (for audit and per-item results)
    item_ref: str = ""


@dataclass(frozen=True, slots=True)
class DetectorScore:
    """One named signal, e.g. ("nudity", 0.03) or ("enrolled_face_match", 1.0)."""

    name: str
    value: float
    detail: Mapping[str, Any] = field(default_factory=dict)


Signals = tuple[DetectorScore, ...]


class Detector(Protocol):
    """A pluggable detector. Implementations load their model once and are thread-safe to call."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def input_kinds(self) -> frozenset[str]:
        """Content types it accepts ("photo", "video")."""

    def score(self, media: MediaInput) -> Signals: ...


class DetectionStore(Protocol):
    """Filled in by issue 7: per-item detector results and routing rules."""
