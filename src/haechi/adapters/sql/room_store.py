"""SQL store for rooms (issue 8)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlRoomStore:
    def __init__(self, session: Session) -> None:
        self._session = session
