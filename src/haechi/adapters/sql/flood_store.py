"""Flood-control queries of the federation store: per-minute tallies of hashes each writer put
live, and the hashes held over the limit with the decision on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_federation import FloodTallyRow, WriteQuarantineRow
from haechi.services.ports_federation import HeldWrite


class FloodQueries:
    _s: Session

    def tally(self, source: str, *, since_minute: int) -> int:
        stmt = select(func.sum(FloodTallyRow.count)).where(
            FloodTallyRow.source == source, FloodTallyRow.minute >= since_minute
        )
        return int(self._s.scalar(stmt) or 0)

    def bump_tally(self, source: str, *, minute: int, count: int) -> None:
        row = self._s.get(FloodTallyRow, (source, minute), with_for_update=True)
        if row is None:
            self._s.add(FloodTallyRow(source=source, minute=minute, count=count))
        else:
            row.count += count
        self._s.flush()

    def prune_tally(self, *, before_minute: int) -> None:
        self._s.execute(delete(FloodTallyRow).where(FloodTallyRow.minute < before_minute))

    def quarantine_writes(self, content_ids: Sequence[int], *, source: str, at: float) -> None:
        self._s.add_all(WriteQuarantineRow(content_id=c, source=source, at=at) for c in content_ids)
        self._s.flush()

    def held_writes(self, *, limit: int, after_id: int = 0) -> list[HeldWrite]:
        stmt = (
            select(WriteQuarantineRow)
            .where(WriteQuarantineRow.decided_at.is_(None))
            .where(WriteQuarantineRow.content_id > after_id)
            .order_by(WriteQuarantineRow.content_id)
            .limit(limit)
        )
        return [HeldWrite(r.content_id, r.source, r.at) for r in self._s.scalars(stmt)]

    def decide_writes(
        self, content_ids: Sequence[int], *, approved: bool, at: float, by: str
    ) -> list[int]:
        pending = select(WriteQuarantineRow.content_id).where(
            WriteQuarantineRow.content_id.in_(list(content_ids)),
            WriteQuarantineRow.decided_at.is_(None),
        )
        ids = [int(c) for c in self._s.scalars(pending)]
        if ids:
            self._s.execute(
                update(WriteQuarantineRow)
                .where(WriteQuarantineRow.content_id.in_(ids))
                .values(decided_at=at, decided_by=by, approved=approved)
            )
        return ids
