"""The detection services handed to the HTTP layer and the CLI together (issue 7)."""

from __future__ import annotations

from dataclasses import dataclass

from haechi.services.detection import DetectionService
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.routing import RoutingService

__all__ = ["DetectionBundle"]


@dataclass(frozen=True, slots=True)
class DetectionBundle:
    #: the detectors that run; features add theirs with `registry.register(...)` at start-up
    registry: DetectorRegistry
    #: queues and runs `detect.items` jobs, reads results per case
    service: DetectionService
    #: each organisation's routing rules
    routing: RoutingService
