"""JSON shapes of the detection API: detector results per item, routing rules and their hits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from haechi.domain.detections import DetectionResult, RoutingRule, RuleAction, RuleHit
from haechi.services.detection import CaseDetections, DetectorInfo

#: said beside every score the API returns
NOTICE = "Detector scores are signals for human review, not decisions; they never remove content."


class ScorePublic(BaseModel):
    name: str
    value: float
    detail: dict[str, Any]


class DetectionPublic(BaseModel):
    detector: str
    version: str
    scores: list[ScorePublic]
    latency_ms: float
    batch_size: int
    error: str | None
    created_at: float

    @classmethod
    def of(cls, r: DetectionResult) -> DetectionPublic:
        return cls(
            detector=r.detector,
            version=r.version,
            scores=[
                ScorePublic(name=s.name, value=s.value, detail=dict(s.detail)) for s in r.scores
            ],
            latency_ms=r.latency_ms,
            batch_size=r.batch_size,
            error=r.error,
            created_at=r.created_at,
        )


class HitPublic(BaseModel):
    rule_id: int | None
    rule: str
    expression: str
    action: RuleAction
    signals: dict[str, float]
    created_at: float

    @classmethod
    def of(cls, h: RuleHit) -> HitPublic:
        return cls(
            rule_id=h.rule_id,
            rule=h.rule_name,
            expression=h.expression,
            action=h.action,
            signals=dict(h.signals),
            created_at=h.created_at,
        )


class ItemDetections(BaseModel):
    item_id: int
    results: list[DetectionPublic]
    routing: list[HitPublic]


class CaseDetectionsPublic(BaseModel):
    notice: str = NOTICE
    items: list[ItemDetections]

    @classmethod
    def of(cls, found: CaseDetections) -> CaseDetectionsPublic:
        ids = sorted(set(found.results) | set(found.hits))
        return cls(
            items=[
                ItemDetections(
                    item_id=i,
                    results=[DetectionPublic.of(r) for r in found.results.get(i, [])],
                    routing=[HitPublic.of(h) for h in found.hits.get(i, [])],
                )
                for i in ids
            ]
        )


class DetectorPublic(BaseModel):
    name: str
    version: str
    input_kinds: list[str]

    @classmethod
    def of(cls, d: DetectorInfo) -> DetectorPublic:
        return cls(name=d.name, version=d.version, input_kinds=list(d.input_kinds))


class DetectorsPublic(BaseModel):
    notice: str = NOTICE
    running: list[DetectorPublic]
    #: detector name → why it is not running (e.g. the optional package is not installed)
    unavailable: dict[str, str]


class RerunPublic(BaseModel):
    jobs: list[int]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    expression: str = Field(
        min_length=1, max_length=500, examples=["nudity >= 0.8 AND enrolled_face_match"]
    )
    action: RuleAction
    enabled: StrictBool = True


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expression: str | None = Field(None, min_length=1, max_length=500)
    action: RuleAction | None = None
    enabled: StrictBool | None = None


class RulePublic(BaseModel):
    id: int
    name: str
    expression: str
    action: RuleAction
    enabled: bool
    created_by: str
    created_at: float
    updated_at: float

    @classmethod
    def of(cls, r: RoutingRule) -> RulePublic:
        return cls(
            id=r.id,
            name=r.name,
            expression=r.expression,
            action=r.action,
            enabled=r.enabled,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
