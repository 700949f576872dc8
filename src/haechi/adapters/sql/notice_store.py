"""SQL storage of takedown notices and their items (the unit of work commits, never this store).

The tenancy rule for listing — an organisation sees the notices it sent or received, nothing
else — is part of the query, so no caller can forget it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from haechi.adapters.sql.tables_notices import NoticeItemRow, NoticeRow
from haechi.adapters.sql.tables_tenancy import OrganisationRow
from haechi.domain.notices import (
    ItemKind,
    ItemOutcome,
    Notice,
    NoticeDraft,
    NoticeItem,
    Outcome,
    Stage,
)
from haechi.domain.sla import DueTimes, SlaPolicy

_From = aliased(OrganisationRow)
_To = aliased(OrganisationRow)


def _item(row: NoticeItemRow) -> NoticeItem:
    return NoticeItem(
        id=row.id,
        kind=ItemKind(row.kind),
        value=row.value,
        signal_type=row.signal_type,
        outcome=None if row.outcome is None else Outcome(row.outcome),
        reason=row.reason,
        outcome_at=row.outcome_at,
    )


def _notice(row: NoticeRow, from_name: str, to_name: str) -> Notice:
    return Notice(
        id=row.id,
        from_org_id=row.from_org_id,
        from_org=from_name,
        to_org_id=row.to_org_id,
        to_org=to_name,
        legal_ground=row.legal_ground,
        policy=SlaPolicy.from_dict(row.policy_spec, name=row.policy_name),
        sent_at=row.sent_at,
        ack_due_at=row.ack_due_at,
        act_due_at=row.act_due_at,
        escalate_at=row.escalate_at,
        items=tuple(_item(i) for i in row.items),
        case_id=row.case_id,
        note=row.note,
        acknowledged_at=row.acknowledged_at,
        acted_at=row.acted_at,
        escalated_at=row.escalated_at,
    )


def _status(acknowledged_at: float | None, acted_at: float | None) -> str:
    if acted_at is not None:
        return Stage.ACTED.value
    return Stage.RECEIVED.value if acknowledged_at is None else Stage.ACKNOWLEDGED.value


class SqlNoticeStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _select(self) -> Select[NoticeRow, str, str]:
        return (
            select(NoticeRow, _From.name, _To.name)
            .join(_From, _From.id == NoticeRow.from_org_id)
            .join(_To, _To.id == NoticeRow.to_org_id)
            .options(selectinload(NoticeRow.items))
        )

    def add(
        self, *, from_org_id: int, to_org_id: int, draft: NoticeDraft, sent_at: float, due: DueTimes
    ) -> Notice:
        row = NoticeRow(
            from_org_id=from_org_id,
            to_org_id=to_org_id,
            case_id=draft.case_id,
            legal_ground=draft.legal_ground,
            note=draft.note,
            policy_name=draft.policy.name,
            policy_spec=draft.policy.to_dict(),
            ack_seconds=due.ack_due_at - sent_at,
            act_seconds=due.act_due_at - sent_at,
            status=Stage.RECEIVED.value,
            sent_at=sent_at,
            ack_due_at=due.ack_due_at,
            act_due_at=due.act_due_at,
            escalate_at=due.escalate_at,
        )
        row.items = [
            NoticeItemRow(kind=i.kind.value, signal_type=i.signal_type, value=i.value)
            for i in draft.items
        ]
        self._s.add(row)
        self._s.flush()
        found = self.get(row.id)
        assert found is not None
        return found

    def get(self, notice_id: int, *, for_update: bool = False) -> Notice | None:
        stmt = self._select().where(NoticeRow.id == notice_id)
        if for_update:
            stmt = stmt.with_for_update(of=NoticeRow)
        found = self._s.execute(stmt).first()
        return None if found is None else _notice(*found)

    def list_for_org(
        self, org_id: int, *, since: float = 0.0, open_only: bool = False, limit: int = 200
    ) -> list[Notice]:
        stmt = (
            self._select()
            .where(or_(NoticeRow.from_org_id == org_id, NoticeRow.to_org_id == org_id))
            .where(NoticeRow.sent_at >= since)
            .order_by(NoticeRow.sent_at.desc(), NoticeRow.id.desc())
            .limit(limit)
        )
        if open_only:
            stmt = stmt.where(NoticeRow.acted_at.is_(None))
        return [_notice(*found) for found in self._s.execute(stmt)]

    def due_for_escalation(self, now: float, limit: int) -> list[Notice]:
        stmt = (
            self._select()
            .where(NoticeRow.acted_at.is_(None), NoticeRow.escalated_at.is_(None))
            .where(NoticeRow.escalate_at < now)
            .order_by(NoticeRow.escalate_at)
            .limit(limit)
        )
        return [_notice(*found) for found in self._s.execute(stmt)]

    def set_escalated(self, notice_id: int, at: float) -> None:
        row = self._s.get(NoticeRow, notice_id)
        assert row is not None
        row.escalated_at = at
        self._s.flush()

    def set_clocks(
        self, notice_id: int, *, acknowledged_at: float | None, acted_at: float | None
    ) -> None:
        row = self._s.get(NoticeRow, notice_id)
        assert row is not None
        if acknowledged_at is not None:
            row.acknowledged_at = acknowledged_at
        if acted_at is not None:
            row.acted_at = acted_at
        row.status = _status(row.acknowledged_at, row.acted_at)
        self._s.flush()

    def items_with_outcome(self, case_id: int, outcome: Outcome) -> list[NoticeItem]:
        """Items of the notices sent from this case whose platform reported `outcome`."""
        rows = self._s.scalars(
            select(NoticeItemRow)
            .join(NoticeRow, NoticeRow.id == NoticeItemRow.notice_id)
            .where(NoticeRow.case_id == case_id)
            .where(NoticeItemRow.outcome == outcome.value)
            .order_by(NoticeItemRow.id)
        )
        return [_item(r) for r in rows]

    def set_outcomes(self, notice_id: int, outcomes: Sequence[ItemOutcome], at: float) -> None:
        by_id = {o.item_id: o for o in outcomes}
        rows = self._s.scalars(
            select(NoticeItemRow)
            .where(NoticeItemRow.notice_id == notice_id)
            .where(NoticeItemRow.id.in_(by_id))
        )
        for row in rows:
            given = by_id[row.id]
            row.outcome, row.reason, row.outcome_at = given.outcome.value, given.reason, at
        self._s.flush()
