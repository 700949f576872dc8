"""The feature stores a unit of work carries beyond the core ones (see ports.UnitOfWork)."""

from __future__ import annotations

from typing import Protocol

from haechi.services.ports_detectors import DetectionStore
from haechi.services.ports_faces import FaceStore
from haechi.services.ports_federation import FederationStore
from haechi.services.ports_jobs import JobStore
from haechi.services.ports_reliability import IdempotencyStore
from haechi.services.ports_rooms import RoomStore
from haechi.services.ports_scan import ScanStore
from haechi.services.ports_video import VideoStore


class FeatureStores(Protocol):
    @property
    def jobs(self) -> JobStore: ...

    @property
    def videos(self) -> VideoStore: ...

    @property
    def scans(self) -> ScanStore: ...

    @property
    def detections(self) -> DetectionStore: ...

    @property
    def faces(self) -> FaceStore: ...

    @property
    def rooms(self) -> RoomStore: ...

    @property
    def federation(self) -> FederationStore: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...
