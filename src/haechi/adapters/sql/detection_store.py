"""SQL store for detections (issue 7)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlDetectionStore:
    def __init__(self, session: Session) -> None:
        self._session = session
