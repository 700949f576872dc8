"""SQL store for idempotency (issue 10)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlIdempotencyStore:
    def __init__(self, session: Session) -> None:
        self._session = session
