"""SQL store for faces (issue 7)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlFaceStore:
    def __init__(self, session: Session) -> None:
        self._session = session
