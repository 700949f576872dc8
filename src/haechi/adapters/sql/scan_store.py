"""SQL store for scans (issue 6)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlScanStore:
    def __init__(self, session: Session) -> None:
        self._session = session
