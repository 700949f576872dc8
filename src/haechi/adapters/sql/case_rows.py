"""Rows of the case tables turned into domain records (shared by the case store's queries)."""

from __future__ import annotations

from haechi.adapters.sql.tables_cases import CaseItemRow, ReportRow
from haechi.domain.cases import CaseItem, ItemStatus, MatchEvidence, Report, ReportStatus
from haechi.domain.reports import Channel, ItemKind, ReporterKind, ReportFields


def report_of(row: ReportRow) -> Report:
    fields = ReportFields(
        reporter_kind=ReporterKind(row.reporter_kind),
        channel=Channel(row.channel),
        explanation=row.explanation,
        good_faith=row.good_faith,
        platform=row.platform,
        room=row.room,
        description=row.description,
        exact_location=row.exact_location,
        contact=row.contact,
        bulk_source=bool(row.bulk_source),
    )
    return Report(
        id=row.id,
        case_id=row.case_id,
        fields=fields,
        status=ReportStatus(row.status),
        created_at=row.created_at,
        submitted_by=row.submitted_by_org_id,
        pin_hash=row.pin_hash,
    )


def item_of(row: CaseItemRow) -> CaseItem:
    return CaseItem(
        id=row.id,
        case_id=row.case_id,
        report_id=row.report_id,
        kind=ItemKind(row.kind),
        status=ItemStatus(row.status),
        created_at=row.created_at,
        url=row.url,
        chat_link=row.chat_link,
        signals=dict(row.signals or {}),
        media_key=row.media_key,
        media_type=row.media_type,
        evidence=tuple(MatchEvidence(**e) for e in row.match_evidence or ()),
        bank_content_id=row.bank_content_id,
    )
