"""SQL store for videos (issue 6)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlVideoStore:
    def __init__(self, session: Session) -> None:
        self._session = session
