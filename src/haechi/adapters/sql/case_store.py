"""SQL implementation of the CaseStore port: cases, reports, items, their signals and decisions.

The store only flushes; the unit of work commits. Case numbers come from the case's own id
(`HC-<year>-<id>`), assigned in the same flush, so two concurrent reports can never draw the same
number. Tenancy lives in the queries: `queue` returns only cases the organisation owns or that are
shared with it.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from haechi.adapters.sql.case_rows import item_of, report_of
from haechi.adapters.sql.tables_cases import (
    CaseItemRow,
    CaseItemSignalRow,
    CaseRow,
    DecisionRow,
    ReportRow,
)
from haechi.domain.cases import (
    ACTIVE_CASE,
    UNDECIDED,
    Case,
    CaseItem,
    CaseStatus,
    CaseSummary,
    Priority,
    Report,
    ReportStatus,
    format_case_number,
    triage_key,
)
from haechi.domain.decisions import Decision, Outcome
from haechi.domain.reports import ReporterKind, ReportFields


def _case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        number=row.number,
        owner_org_id=row.owner_org_id,
        status=CaseStatus(row.status),
        priority=Priority(row.priority),
        created_at=row.created_at,
        updated_at=row.updated_at,
        shared_with=frozenset(row.shared_with or ()),
    )


def _decision(row: DecisionRow) -> Decision:
    return Decision(
        id=row.id,
        case_id=row.case_id,
        item_id=row.item_id,
        org_id=row.org_id,
        actor=row.actor,
        outcome=Outcome(row.outcome),
        created_at=row.created_at,
        statement_of_reasons=row.statement_of_reasons,
        bank_name=row.bank_name,
        bank_content_id=row.bank_content_id,
        note=row.note,
    )


_ACTIVE = sorted(ACTIVE_CASE)


class SqlCaseStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- cases ------------------------------------------------------------------------------------
    def create_case(self, *, owner_org_id: int, priority: Priority, now: float) -> Case:
        row = CaseRow(
            number=f"pending-{secrets.token_hex(8)}",
            owner_org_id=owner_org_id,
            status=CaseStatus.OPEN.value,
            priority=int(priority),
            shared_with=[],
            created_at=now,
            updated_at=now,
        )
        self._s.add(row)
        self._s.flush()
        row.number = format_case_number(time.gmtime(now).tm_year, row.id)
        self._s.flush()
        return _case(row)

    def get_case(self, number: str) -> Case | None:
        row = self._s.scalar(select(CaseRow).where(CaseRow.number == number))
        return None if row is None else _case(row)

    def get_case_by_id(self, case_id: int) -> Case | None:
        row = self._s.get(CaseRow, case_id)
        return None if row is None else _case(row)

    def update_case(self, case: Case) -> None:
        row = self._s.get_one(CaseRow, case.id)
        row.status = case.status.value
        row.priority = int(case.priority)
        row.shared_with = sorted(case.shared_with)
        row.updated_at = case.updated_at
        self._s.flush()

    def queue(self, *, org_id: int, limit: int, include_closed: bool) -> list[CaseSummary]:
        visible = or_(
            CaseRow.owner_org_id == org_id, func.json_array_length(CaseRow.shared_with) > 0
        )
        stmt = (
            select(CaseRow)
            .where(visible)
            .order_by(CaseRow.priority, CaseRow.created_at, CaseRow.id)
        )
        if not include_closed:
            stmt = stmt.where(CaseRow.status.in_(_ACTIVE))
        cases: list[Case] = []
        # streamed (a server-side cursor on PostgreSQL): closed even when the loop stops early
        with self._s.scalars(stmt.execution_options(yield_per=500)) as rows:
            for row in rows:
                case = _case(row)
                if case.visible_to(org_id):
                    cases.append(case)
                    if len(cases) >= limit:
                        break
        cases.sort(key=lambda c: triage_key(c.priority, c.created_at, c.id))
        return self._summaries(cases)

    def _summaries(self, cases: list[Case]) -> list[CaseSummary]:
        ids = [c.id for c in cases]
        kinds: dict[int, set[str]] = defaultdict(set)
        bulk: set[int] = set()
        for case_id, kind, many in self._s.execute(
            select(ReportRow.case_id, ReportRow.reporter_kind, ReportRow.bulk_source).where(
                ReportRow.case_id.in_(ids)
            )
        ):
            kinds[case_id].add(kind)
            if many:
                bulk.add(case_id)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        stmt = select(CaseItemRow.case_id, CaseItemRow.status, CaseItemRow.match_evidence)
        for case_id, status, evidence in self._s.execute(stmt.where(CaseItemRow.case_id.in_(ids))):
            tally = counts[case_id]
            tally[0] += 1
            tally[1] += status in UNDECIDED
            tally[2] += bool(evidence)
        return [
            CaseSummary(
                case=c,
                reporter_kinds=tuple(sorted(ReporterKind(k) for k in kinds[c.id])),
                items=counts[c.id][0],
                undecided=counts[c.id][1],
                matched=counts[c.id][2] > 0,
                bulk_source=c.id in bulk,
            )
            for c in cases
        ]

    # -- reports ----------------------------------------------------------------------------------
    def add_report(
        self,
        case_id: int,
        fields: ReportFields,
        *,
        pin_hash: str | None,
        submitted_by: int | None,
        now: float,
    ) -> Report:
        row = ReportRow(
            case_id=case_id,
            reporter_kind=fields.reporter_kind.value,
            channel=fields.channel.value,
            platform=fields.platform,
            room=fields.room,
            description=fields.description,
            explanation=fields.explanation,
            exact_location=fields.exact_location,
            contact=fields.contact,
            good_faith=fields.good_faith,
            bulk_source=fields.bulk_source,
            pin_hash=pin_hash,
            status=ReportStatus.RECEIVED.value,
            submitted_by_org_id=submitted_by,
            created_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return report_of(row)

    def reports(self, case_id: int) -> list[Report]:
        stmt = select(ReportRow).where(ReportRow.case_id == case_id).order_by(ReportRow.id)
        return [report_of(r) for r in self._s.scalars(stmt)]

    def set_report_status(self, report_id: int, status: ReportStatus, *, now: float) -> None:
        withdrawn = now if status is ReportStatus.WITHDRAWN else None
        self._s.execute(
            update(ReportRow)
            .where(ReportRow.id == report_id)
            .values(status=status.value, withdrawn_at=withdrawn)
        )

    # -- items ------------------------------------------------------------------------------------
    def add_item(self, item: CaseItem) -> CaseItem:
        row = CaseItemRow(
            case_id=item.case_id,
            report_id=item.report_id,
            kind=item.kind.value,
            url=item.url,
            chat_link=item.chat_link,
            signals=dict(item.signals),
            media_key=item.media_key,
            media_type=item.media_type,
            match_evidence=[e.as_dict() for e in item.evidence],
            status=item.status.value,
            bank_content_id=item.bank_content_id,
            created_at=item.created_at,
        )
        self._s.add(row)
        self._s.flush()
        self._s.add_all(
            CaseItemSignalRow(item_id=row.id, signal_type=k, value=v)
            for k, v in item.signals.items()
        )
        self._s.flush()
        return item_of(row)

    def items(self, case_id: int) -> list[CaseItem]:
        stmt = select(CaseItemRow).where(CaseItemRow.case_id == case_id).order_by(CaseItemRow.id)
        return [item_of(r) for r in self._s.scalars(stmt)]

    def update_item(self, item: CaseItem) -> None:
        row = self._s.get_one(CaseItemRow, item.id)
        row.status = item.status.value
        row.media_key = item.media_key
        row.media_type = item.media_type
        row.bank_content_id = item.bank_content_id
        row.match_evidence = [e.as_dict() for e in item.evidence]  # later matches (video jobs)
        self._s.flush()

    def _open_signal_rows(self, owner_org_id: int, signal_type: str) -> Select[int, str]:
        return (
            select(CaseItemRow.case_id, CaseItemSignalRow.value)
            .join(CaseItemRow, CaseItemRow.id == CaseItemSignalRow.item_id)
            .join(CaseRow, CaseRow.id == CaseItemRow.case_id)
            .where(
                CaseRow.owner_org_id == owner_org_id,
                CaseRow.status.in_(_ACTIVE),
                CaseItemSignalRow.signal_type == signal_type,
            )
        )

    def open_cases_with(self, *, owner_org_id: int, signal_type: str, value: str) -> list[int]:
        stmt = self._open_signal_rows(owner_org_id, signal_type).where(
            CaseItemSignalRow.value == value
        )
        return sorted({int(case_id) for case_id, _ in self._s.execute(stmt)})

    def open_signals(self, *, owner_org_id: int, signal_type: str) -> list[tuple[int, str]]:
        stmt = self._open_signal_rows(owner_org_id, signal_type)
        return [(int(c), str(v)) for c, v in self._s.execute(stmt)]

    def media_references(self, media_key: str) -> int:
        stmt = select(func.count()).where(CaseItemRow.media_key == media_key)
        return int(self._s.scalar(stmt) or 0)

    # -- decisions --------------------------------------------------------------------------------
    def add_decision(self, decision: Decision) -> Decision:
        row = DecisionRow(
            case_id=decision.case_id,
            item_id=decision.item_id,
            org_id=decision.org_id,
            actor=decision.actor,
            outcome=decision.outcome.value,
            statement_of_reasons=decision.statement_of_reasons,
            bank_name=decision.bank_name,
            bank_content_id=decision.bank_content_id,
            note=decision.note,
            created_at=decision.created_at,
        )
        self._s.add(row)
        self._s.flush()
        return _decision(row)

    def decisions(self, case_id: int) -> list[Decision]:
        stmt = select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(DecisionRow.id)
        return [_decision(r) for r in self._s.scalars(stmt)]
