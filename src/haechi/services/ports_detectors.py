"""Port for deepfake / abuse signals beyond hashes (issue 7): detectors score media, results are
stored per item, and routing rules turn them into review priority. A detector never removes
content: its scores only route items to human review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from haechi.domain.detections import DetectionResult, RoutingRule, RuleAction, RuleHit


@dataclass(frozen=True, slots=True)
class MediaInput:
    """What a detector sees: the bytes of one reported or matched item, and where it came from."""

    content_type: str  # "photo" | "video"
    data: bytes
    sha256: str
    #: the case item / bank content it belongs to (for audit and per-item results)
    item_ref: str = ""
    #: the case the item is in: scope for detectors that compare with per-organisation data
    #: (enrolled victim faces are compared only with items of cases their organisation sees)
    case_id: int | None = None


#: an input kind: the detector scores videos through frames sampled from them, each given to it
#: as a photo (`FrameSampler`); its scores are summarised per video (max, mean, where the max is)
VIDEO_FRAMES = "video_frames"


@dataclass(frozen=True, slots=True)
class VideoStill:
    """One frame sampled from a video: an image file (PNG) and where it was taken."""

    timestamp_s: float
    data: bytes


class FrameSampler(Protocol):
    """Decodes a bounded number of frames from a video, spread over its length."""

    def sample(self, data: bytes) -> list[VideoStill]:
        """The sampled frames in time order. Raises UnsupportedMedia / MediaTooLarge for what is
        not a video or is over the deployment's video limits (checked before decoding)."""


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
        """Content types it accepts ("photo", "video"), and `VIDEO_FRAMES` for a photo
        detector that also scores videos through their sampled frames."""

    def score(self, media: MediaInput) -> Signals: ...


@runtime_checkable
class BatchDetector(Detector, Protocol):
    """A detector that scores several items in one model call (e.g. one ONNX batch)."""

    def score_batch(self, media: Sequence[MediaInput]) -> list[Signals]:
        """Signals for each input, in order. Raise only when the whole batch failed."""


class DetectorUnavailable(Exception):
    """A detector cannot be built here (its optional package or model file is missing)."""


class DetectionStore(Protocol):
    """Per-item detector results, routing rules and their hits. Never commits."""

    def save_result(self, result: DetectionResult) -> DetectionResult:
        """Insert, replacing the item's earlier result from the same detector."""

    def results_for_items(self, item_ids: Sequence[int]) -> list[DetectionResult]: ...
    def results_for_case(self, case_id: int) -> list[DetectionResult]: ...
    def add_rule(
        self,
        *,
        org_id: int,
        name: str,
        expression: str,
        action: RuleAction,
        enabled: bool,
        actor: str,
        now: float,
    ) -> RoutingRule: ...
    def rules(self, org_id: int, *, enabled_only: bool = False) -> list[RoutingRule]: ...
    def get_rule(self, org_id: int, rule_id: int) -> RoutingRule | None: ...
    def rule_named(self, org_id: int, name: str) -> RoutingRule | None: ...
    def update_rule(self, rule: RoutingRule) -> None: ...
    def delete_rule(self, org_id: int, rule_id: int) -> None:
        """Remove the rule; its earlier hits stay (with the rule's name and expression)."""

    def add_hit(self, hit: RuleHit) -> RuleHit: ...
    def hits_for_case(self, case_id: int) -> list[RuleHit]: ...
    def hits_for_cases(self, case_ids: Sequence[int]) -> dict[int, list[RuleHit]]: ...
    def has_hit(self, item_id: int, rule_id: int) -> bool: ...
    def scored_items(self, *, owner_org_id: int, limit: int) -> list[tuple[int, int]]:
        """(case id, item id) of items with results in the organisation's active cases."""

    def unscored_items(self, *, limit: int) -> list[tuple[int, int]]:
        """(case id, item id) of media items of active cases with no result from any detector."""
