"""Feature stores on one unit of work's session, built on first use (issues 6-10)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haechi.adapters.sql.detection_store import SqlDetectionStore
from haechi.adapters.sql.face_store import SqlFaceStore
from haechi.adapters.sql.federation_store import SqlFederationStore
from haechi.adapters.sql.idempotency_store import SqlIdempotencyStore
from haechi.adapters.sql.job_store import SqlJobStore
from haechi.adapters.sql.room_store import SqlRoomStore
from haechi.adapters.sql.scan_store import SqlScanStore
from haechi.adapters.sql.video_store import SqlVideoStore


class FeatureStores:
    """Mixed into SqlUnitOfWork: each property wraps the open transaction's session."""

    _session: Session | None

    def _open(self) -> Session:
        assert self._session is not None, "use the unit of work inside `with`"
        return self._session

    @property
    def jobs(self) -> SqlJobStore:
        return SqlJobStore(self._open())

    @property
    def videos(self) -> SqlVideoStore:
        return SqlVideoStore(self._open())

    @property
    def scans(self) -> SqlScanStore:
        return SqlScanStore(self._open())

    @property
    def detections(self) -> SqlDetectionStore:
        return SqlDetectionStore(self._open())

    @property
    def faces(self) -> SqlFaceStore:
        return SqlFaceStore(self._open())

    @property
    def rooms(self) -> SqlRoomStore:
        return SqlRoomStore(self._open())

    @property
    def federation(self) -> SqlFederationStore:
        return SqlFederationStore(self._open())

    @property
    def idempotency(self) -> SqlIdempotencyStore:
        return SqlIdempotencyStore(self._open())
