"""SQL store for federation (issue 9): grants, the publication log, sources, imports, feedback.

Only flushes; the unit of work commits. `publish_cursor` locks its one row (FOR UPDATE on
PostgreSQL; SQLite serialises writers anyway) so two processes never translate the same changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haechi.adapters.sql import federation_rows as rows
from haechi.adapters.sql.federation_publisher_store import PublisherQueries
from haechi.adapters.sql.flood_store import FloodQueries
from haechi.adapters.sql.tables_federation import (
    ExchangeFeedbackOutRow,
    ExchangeImportRow,
    ExchangeSourceRow,
)
from haechi.domain.errors import Conflict
from haechi.domain.federation import ImportState, Verdict
from haechi.services.ports_federation import (
    ImportRecord,
    OutgoingFeedback,
    Source,
)


class SqlFederationStore(PublisherQueries, FloodQueries):
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- sources --------------------------------------------------------------------------------
    def add_source(self, source: Source) -> Source:
        row = ExchangeSourceRow(created_at=source.created_at, lease_until=0.0)
        rows.fill_source(row, source)
        self._s.add(row)
        try:
            self._s.flush()
        except IntegrityError:
            raise Conflict(f"a source named '{source.name}' already exists") from None
        return rows.source(row)

    def get_source(self, name: str) -> Source | None:
        row = self._s.scalar(select(ExchangeSourceRow).where(ExchangeSourceRow.name == name))
        return None if row is None else rows.source(row)

    def get_source_by_id(self, source_id: int) -> Source | None:
        row = self._s.get(ExchangeSourceRow, source_id)
        return None if row is None else rows.source(row)

    def list_sources(self, org_id: int | None = None) -> list[Source]:
        stmt = select(ExchangeSourceRow).order_by(ExchangeSourceRow.name)
        if org_id is not None:
            stmt = stmt.where(ExchangeSourceRow.org_id == org_id)
        return [rows.source(r) for r in self._s.scalars(stmt)]

    def save_source(self, source: Source) -> None:
        rows.fill_source(self._s.get_one(ExchangeSourceRow, source.id), source)
        self._s.flush()

    def delete_source(self, source_id: int) -> None:
        self._s.delete(self._s.get_one(ExchangeSourceRow, source_id))

    def due_sources(self, now: float, limit: int) -> list[Source]:
        stmt = (
            select(ExchangeSourceRow)
            .where(ExchangeSourceRow.enabled.is_(True), ExchangeSourceRow.next_poll_at <= now)
            .where(ExchangeSourceRow.lease_until <= now)
            .order_by(ExchangeSourceRow.next_poll_at)
            .limit(limit)
        )
        return [rows.source(r) for r in self._s.scalars(stmt)]

    def claim_source(self, source_id: int, *, now: float, lease_until: float) -> bool:
        result = self._s.execute(
            update(ExchangeSourceRow)
            .where(ExchangeSourceRow.id == source_id, ExchangeSourceRow.lease_until <= now)
            .values(lease_until=lease_until)
        )
        return bool(getattr(result, "rowcount", 0))

    def release_source(self, source_id: int) -> None:
        self._s.execute(
            update(ExchangeSourceRow)
            .where(ExchangeSourceRow.id == source_id)
            .values(lease_until=0.0)
        )

    # -- imports --------------------------------------------------------------------------------
    def find_import(self, source_id: int, remote_id: str) -> ImportRecord | None:
        row = self._s.scalar(
            select(ExchangeImportRow).where(
                ExchangeImportRow.source_id == source_id, ExchangeImportRow.remote_id == remote_id
            )
        )
        return None if row is None else rows.import_record(row)

    def add_import(self, record: ImportRecord) -> ImportRecord:
        row = ExchangeImportRow(
            source_id=record.source_id,
            remote_id=record.remote_id,
            content_id=record.content_id,
            state=record.state.value,
            signals=dict(record.signals),
            quarantined=record.quarantined,
            received_at=record.received_at,
            decided_at=record.decided_at,
            decided_by=record.decided_by,
        )
        self._s.add(row)
        self._s.flush()
        return rows.import_record(row)

    def set_import(
        self,
        import_id: int,
        *,
        state: ImportState,
        at: float,
        by: str | None,
        content_id: int | None = None,
    ) -> None:
        row = self._s.get_one(ExchangeImportRow, import_id)
        row.state = state.value
        row.decided_at = at
        row.decided_by = by
        if content_id is not None:
            row.content_id = content_id
        self._s.flush()

    def get_imports(self, import_ids: Sequence[int]) -> list[ImportRecord]:
        stmt = select(ExchangeImportRow).where(ExchangeImportRow.id.in_(list(import_ids)))
        return [rows.import_record(r) for r in self._s.scalars(stmt.order_by(ExchangeImportRow.id))]

    def imports(
        self, *, source_id: int | None, state: ImportState | None, limit: int, after_id: int = 0
    ) -> list[ImportRecord]:
        stmt = select(ExchangeImportRow).where(ExchangeImportRow.id > after_id)
        if source_id is not None:
            stmt = stmt.where(ExchangeImportRow.source_id == source_id)
        if state is not None:
            stmt = stmt.where(ExchangeImportRow.state == state.value)
        stmt = stmt.order_by(ExchangeImportRow.id).limit(limit)
        return [rows.import_record(r) for r in self._s.scalars(stmt)]

    def imports_for_content(self, content_id: int) -> list[ImportRecord]:
        stmt = select(ExchangeImportRow).where(ExchangeImportRow.content_id == content_id)
        return [rows.import_record(r) for r in self._s.scalars(stmt)]

    def count_live_since(self, source_id: int, since: float) -> int:
        stmt = select(func.count()).where(
            ExchangeImportRow.source_id == source_id,
            ExchangeImportRow.received_at >= since,
            ExchangeImportRow.quarantined.is_(False),
            ExchangeImportRow.state == ImportState.ACTIVE.value,
        )
        return int(self._s.scalar(stmt) or 0)

    # -- feedback outbox ------------------------------------------------------------------------
    def add_outgoing(self, *, source_id: int, remote_id: str, verdict: Verdict, at: float) -> int:
        row = ExchangeFeedbackOutRow(
            source_id=source_id, remote_id=remote_id, verdict=verdict.value, at=at
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def pending_outgoing(self, source_id: int, limit: int) -> list[OutgoingFeedback]:
        stmt = (
            select(ExchangeFeedbackOutRow)
            .where(ExchangeFeedbackOutRow.source_id == source_id)
            .where(ExchangeFeedbackOutRow.sent_at.is_(None))
            .order_by(ExchangeFeedbackOutRow.id)
            .limit(limit)
        )
        return [
            OutgoingFeedback(r.id, r.source_id, r.remote_id, Verdict(r.verdict), r.at)
            for r in self._s.scalars(stmt)
        ]

    def mark_sent(self, ids: Sequence[int], at: float) -> None:
        if ids:
            self._s.execute(
                update(ExchangeFeedbackOutRow)
                .where(ExchangeFeedbackOutRow.id.in_(list(ids)))
                .values(sent_at=at)
            )
