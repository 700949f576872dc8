"""SQL store for federation (issue 9)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlFederationStore:
    def __init__(self, session: Session) -> None:
        self._session = session
