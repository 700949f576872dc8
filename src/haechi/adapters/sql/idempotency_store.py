"""SQL store for idempotency keys (issue 10), and the hook that marks an attempt's work committed.

`mark_attempt_committed` runs inside the unit of work just before it commits: when the request
being served carries an Idempotency-Key, the key's row is flagged `work_committed` in the SAME
transaction as the work, so a crash can never leave work committed with a key that looks unused.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_reliability import IdempotencyKeyRow
from haechi.domain.errors import Conflict
from haechi.services.idempotency import CURRENT_ATTEMPT, Attempt
from haechi.services.ports_reliability import NewKey, StoredKey


class SqlIdempotencyStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, scope: str, key: str) -> StoredKey | None:
        row = self._session.scalars(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key
            )
        ).one_or_none()
        return None if row is None else _stored(row)

    def insert(self, new: NewKey) -> int:
        row = IdempotencyKeyRow(
            scope=new.scope,
            key=new.key,
            method=new.method,
            path=new.path,
            fingerprint=new.fingerprint,
            state="started",
            work_committed=False,
            created_at=new.created_at,
            locked_until=new.locked_until,
            expires_at=new.expires_at,
        )
        self._session.add(row)
        try:
            self._session.flush()
        except IntegrityError:
            raise Conflict("another request with this Idempotency-Key is in progress") from None
        return row.id

    def take_over(self, key_id: int, *, now: float, locked_until: float) -> bool:
        result = self._session.execute(
            update(IdempotencyKeyRow)
            .where(
                IdempotencyKeyRow.id == key_id,
                IdempotencyKeyRow.state == "started",
                IdempotencyKeyRow.work_committed.is_(False),
                IdempotencyKeyRow.locked_until <= now,
            )
            .values(locked_until=locked_until)
        )
        return bool(getattr(result, "rowcount", 0))

    def complete(
        self,
        key_id: int,
        *,
        status_code: int,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        expires_at: float,
    ) -> None:
        self._session.execute(
            update(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.id == key_id)
            .values(
                state="done",
                status_code=status_code,
                response_headers=json.dumps([list(h) for h in headers]),
                response_body=body,
                expires_at=expires_at,
            )
        )

    def release(self, key_id: int) -> None:
        self._session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id == key_id))

    def sweep(self, now: float, *, limit: int = 1000) -> int:
        ids = list(
            self._session.scalars(
                select(IdempotencyKeyRow.id).where(IdempotencyKeyRow.expires_at < now).limit(limit)
            )
        )
        if ids:
            self._session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id.in_(ids)))
        return len(ids)


def mark_attempt_committed(session: Session) -> Attempt | None:
    """Flag the running idempotent attempt's key as having committed work (same transaction).

    Returns the attempt, for the caller to mark `committed` once the commit succeeded.
    """
    attempt = CURRENT_ATTEMPT.get()
    if attempt is None or attempt.committed:
        return None
    session.execute(
        update(IdempotencyKeyRow)
        .where(IdempotencyKeyRow.id == attempt.key_id)
        .values(work_committed=True)
    )
    return attempt


def _stored(row: IdempotencyKeyRow) -> StoredKey:
    headers = json.loads(row.response_headers) if row.response_headers else []
    return StoredKey(
        id=row.id,
        scope=row.scope,
        key=row.key,
        method=row.method,
        path=row.path,
        fingerprint=row.fingerprint,
        state=row.state,
        work_committed=row.work_committed,
        status_code=row.status_code,
        response_headers=tuple((str(k), str(v)) for k, v in headers),
        response_body=row.response_body,
        locked_until=row.locked_until,
        expires_at=row.expires_at,
    )
