"""What detectors left on a case item, and what routing rules made of it.

A detector result is a *signal for human review*, never a decision: nothing here removes, hides or
decides on content. Results are kept per item and per detector (the newest run replaces the older
one), with the detector's version and how long it took, so a moderator can see which model said
what. A failed run is kept too, with its error, so "no signal" is never confused with "not run".

When several detectors report a signal of the same name, rules see the highest value (the most
cautious reading for routing to review).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class RuleAction(StrEnum):
    #: lift the case to the front tier of the review queue (beside bank matches)
    PRIORITY_REVIEW = "priority_review"
    #: mark the item in the queue and on the case page, priority unchanged
    FLAG = "flag"
    #: tell the case owner's systems (webhook event `case.routed`), and flag
    NOTIFY = "notify"


@dataclass(frozen=True, slots=True)
class SignalValue:
    """One named score a detector reported (mirrors `ports_detectors.DetectorScore`)."""

    name: str
    value: float
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "detail": dict(self.detail)}


@dataclass(frozen=True, slots=True)
class DetectionResult:
    """One detector's run on one item."""

    id: int
    case_id: int
    item_id: int
    detector: str
    version: str
    scores: tuple[SignalValue, ...]
    latency_ms: float
    created_at: float
    #: why the detector could not score this item (undecodable, model failure); scores are empty
    error: str | None = None
    #: how many items were scored together with this one (latency_ms is this item's share)
    batch_size: int = 1


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: int
    org_id: int
    name: str
    #: the rule as written (canonical form, see `domain.routing.parse_rule`)
    expression: str
    action: RuleAction
    enabled: bool
    created_at: float
    created_by: str
    updated_at: float


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule matched an item's signals; kept so the queue and the audit show why."""

    id: int
    case_id: int
    item_id: int
    rule_id: int | None
    rule_name: str
    expression: str
    action: RuleAction
    #: the signal values the rule saw
    signals: Mapping[str, float]
    created_at: float


def combined_signals(results: Iterable[DetectionResult]) -> dict[str, float]:
    """Every signal reported for an item, the highest value where detectors overlap."""
    out: dict[str, float] = {}
    for result in results:
        if result.error is not None:
            continue
        for score in result.scores:
            if score.name not in out or score.value > out[score.name]:
                out[score.name] = score.value
    return out


#: what each built-in signal means, and what it does not (shown beside scores)
SIGNAL_HELP: dict[str, str] = {
    "nudity": "open_nsfw's probability that the picture shows nudity or sexual content (0-1); "
    "not a judgement of legality, consent or authenticity; wrong on some benign skin-heavy photos",
    "c2pa_manifest": "1 when the file carries a C2PA (Content Credentials) manifest; most files, "
    "and almost every file passed through a messenger, carry none",
    "c2pa_ai_generated": "1 when a C2PA manifest declares the picture (or part of it) made by a "
    "generative model; 0 does not mean it is authentic",
    "c2pa_signature_valid": "1 when the manifest's signature and hashes check out (the signer "
    "may still be unknown); 0 means it was edited after signing, or is malformed",
    "ai_metadata_trace": "1 when EXIF/XMP/PNG metadata names an image generator or says "
    "'AI generated'; metadata is easily stripped or forged: a trace, not proof",
    "enrolled_face_match": "a face resembles a consenting victim's enrolment; a lead for a "
    "reviewer to compare, never an identification",
}
