"""SQL storage of the audit chain.

`append` first bumps the single `audit_head` row: on PostgreSQL that row lock, on SQLite the
database write lock, makes concurrent appenders take turns, so two entries can never claim the
same predecessor. The entry is written in the caller's transaction: if the action rolls back, so
does its audit entry, and the head with it.
"""

from __future__ import annotations

import time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_tenancy import AuditEntryRow, AuditHeadRow
from haechi.domain.audit import GENESIS, AuditEntry, AuditRecord, entry_hash


def _entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        org_id=row.org_id,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        detail=dict(row.detail or {}),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class SqlAuditStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _lock_head(self) -> AuditHeadRow:
        bumped = self._s.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(note=None))
        if not getattr(bumped, "rowcount", 0):
            self._s.add(AuditHeadRow(id=1, seq=0, hash=GENESIS))
            self._s.flush()
        head = self._s.scalar(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update())
        assert head is not None
        self._s.refresh(head)
        return head

    def append(self, record: AuditRecord) -> AuditEntry:
        head = self._lock_head()
        seq, at = head.seq + 1, time.time()
        digest = entry_hash(seq=seq, at=at, record=record, prev_hash=head.hash)
        row = AuditEntryRow(
            seq=seq,
            at=at,
            actor=record.actor,
            org_id=record.org_id,
            action=record.action,
            resource_type=record.resource_type,
            resource_id=record.resource_id,
            detail=record.detail,
            prev_hash=head.hash,
            hash=digest,
        )
        self._s.add(row)
        head.seq, head.hash = seq, digest
        self._s.flush()
        return _entry(row)

    def entries(self, *, after_seq: int, limit: int) -> list[AuditEntry]:
        stmt = (
            select(AuditEntryRow)
            .where(AuditEntryRow.seq > after_seq)
            .order_by(AuditEntryRow.seq)
            .limit(limit)
        )
        return [_entry(r) for r in self._s.scalars(stmt)]

    def head(self) -> tuple[int, str]:
        row = self._s.get(AuditHeadRow, 1)
        return (0, GENESIS) if row is None else (row.seq, row.hash)
