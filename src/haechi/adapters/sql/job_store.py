"""SQL job store (issue 6): claims with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session


class SqlJobStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        org_id: int | None = None,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
        run_after: float | None = None,
    ) -> int:
        raise NotImplementedError("issue 6: being written")
