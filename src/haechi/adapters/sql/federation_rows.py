"""Row ↔ record conversions for the federation store (kept apart so the store reads as queries)."""

from __future__ import annotations

from haechi.adapters.sql.tables_federation import (
    ExchangeGrantRow,
    ExchangeImportRow,
    ExchangeLogRow,
    ExchangePublishedRow,
    ExchangeSourceRow,
)
from haechi.domain.federation import FeedOp, ImportState, SourceKind, TrustMode
from haechi.services.ports_federation import FeedEntry, Grant, ImportRecord, Published, Source


def grant(row: ExchangeGrantRow) -> Grant:
    return Grant(
        id=row.id,
        org_id=row.org_id,
        bank_id=row.bank_id,
        regions=tuple(row.regions or ()),
        created_at=row.created_at,
    )


def published(row: ExchangePublishedRow) -> Published:
    return Published(
        content_id=row.content_id,
        bank_id=row.bank_id,
        active=row.active,
        signals=dict(row.signals),
        regions=tuple(row.regions or ()),
    )


def entry(row: ExchangeLogRow) -> FeedEntry:
    return FeedEntry(
        seq=row.seq,
        op=FeedOp(row.op),
        content_id=row.content_id,
        bank_id=row.bank_id,
        signals=dict(row.signals),
        regions=tuple(row.regions or ()),
        at=row.at,
    )


def source(row: ExchangeSourceRow) -> Source:
    return Source(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        kind=SourceKind(row.kind),
        url=row.url,
        trust_mode=TrustMode(row.trust_mode),
        bank_id=row.bank_id,
        poll_interval_s=row.poll_interval_s,
        created_at=row.created_at,
        token_env=row.token_env,
        token_sealed=row.token_sealed,
        flood_per_hour=row.flood_per_hour,
        public_key_pem=row.public_key_pem,
        config=dict(row.config or {}),
        checkpoint=row.checkpoint,
        enabled=row.enabled,
        next_poll_at=row.next_poll_at,
        last_polled_at=row.last_polled_at,
        last_error=row.last_error,
    )


def fill_source(row: ExchangeSourceRow, s: Source) -> None:
    row.org_id = s.org_id
    row.name = s.name
    row.kind = s.kind.value
    row.url = s.url
    row.trust_mode = s.trust_mode.value
    row.bank_id = s.bank_id
    row.poll_interval_s = s.poll_interval_s
    row.token_env = s.token_env
    row.token_sealed = s.token_sealed
    row.flood_per_hour = s.flood_per_hour
    row.public_key_pem = s.public_key_pem
    row.config = dict(s.config)
    row.checkpoint = s.checkpoint
    row.enabled = s.enabled
    row.next_poll_at = s.next_poll_at
    row.last_polled_at = s.last_polled_at
    row.last_error = s.last_error


def import_record(row: ExchangeImportRow) -> ImportRecord:
    return ImportRecord(
        id=row.id,
        source_id=row.source_id,
        remote_id=row.remote_id,
        content_id=row.content_id,
        state=ImportState(row.state),
        signals=dict(row.signals),
        quarantined=row.quarantined,
        received_at=row.received_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
    )
