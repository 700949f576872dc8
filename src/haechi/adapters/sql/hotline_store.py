"""SQL implementation of the HotlineStore port: messages, read receipts, case-scoped reads.

Only flushes; the unit of work commits. Receipts are one row per (message, reader): reading twice
records nothing new, so the first read time is what others see.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables import MatchEventRow
from haechi.adapters.sql.tables_hotline import HotlineMessageRow, HotlineReceiptRow
from haechi.adapters.sql.tables_notices import NoticeRow
from haechi.domain.hotline import AttachmentRef, Message, MessageDraft, Receipt, Via
from haechi.services.ports import MatchEvent


def _message(row: HotlineMessageRow) -> Message:
    return Message(
        id=row.id,
        case_id=row.case_id,
        from_org_id=row.from_org_id,
        author=row.author,
        body=row.body,
        via=Via(row.via),
        created_at=row.created_at,
        to_org_id=row.to_org_id,
        reply_due_at=row.reply_due_at,
        sender_email=row.sender_email,
        attachments=tuple(AttachmentRef(**a) for a in row.attachments or ()),
    )


def _event(r: MatchEventRow) -> MatchEvent:
    return MatchEvent(
        at=r.at,
        requester=r.requester,
        route=r.route,
        signal_type=r.signal_type,
        query_value=r.query_value,
        content_id=r.content_id,
        bank_name=r.bank_name,
        distance=r.distance,
        transform=r.transform,
    )


class SqlHotlineStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add_message(
        self,
        *,
        case_id: int,
        from_org_id: int,
        author: str,
        draft: MessageDraft,
        via: Via,
        at: float,
        reply_due_at: float | None,
        sender_email: str | None = None,
        attachments: Sequence[AttachmentRef] = (),
    ) -> Message:
        row = HotlineMessageRow(
            case_id=case_id,
            from_org_id=from_org_id,
            author=author,
            to_org_id=draft.to_org_id,
            body=draft.body,
            via=via.value,
            sender_email=sender_email,
            attachments=[a.as_dict() for a in attachments],
            reply_due_at=reply_due_at,
            created_at=at,
        )
        self._s.add(row)
        self._s.flush()
        return _message(row)

    def messages(self, case_id: int) -> list[Message]:
        stmt = (
            select(HotlineMessageRow)
            .where(HotlineMessageRow.case_id == case_id)
            .order_by(HotlineMessageRow.created_at, HotlineMessageRow.id)
        )
        return [_message(r) for r in self._s.scalars(stmt)]

    def mark_read(self, *, message_ids: Sequence[int], org_id: int, reader: str, at: float) -> int:
        seen = set(
            self._s.scalars(
                select(HotlineReceiptRow.message_id).where(
                    HotlineReceiptRow.reader == reader,
                    HotlineReceiptRow.message_id.in_(message_ids),
                )
            )
        )
        new = [i for i in dict.fromkeys(message_ids) if i not in seen]
        self._s.add_all(
            HotlineReceiptRow(message_id=i, org_id=org_id, reader=reader, read_at=at) for i in new
        )
        self._s.flush()
        return len(new)

    def receipts(self, case_id: int) -> list[Receipt]:
        stmt = (
            select(HotlineReceiptRow)
            .join(HotlineMessageRow, HotlineMessageRow.id == HotlineReceiptRow.message_id)
            .where(HotlineMessageRow.case_id == case_id)
            .order_by(HotlineReceiptRow.id)
        )
        return [Receipt(r.message_id, r.org_id, r.reader, r.read_at) for r in self._s.scalars(stmt)]

    def notice_ids_for_case(self, case_id: int) -> list[int]:
        stmt = select(NoticeRow.id).where(NoticeRow.case_id == case_id).order_by(NoticeRow.id)
        return [int(i) for i in self._s.scalars(stmt)]

    def match_events_for(self, content_ids: Sequence[int], *, limit: int) -> list[MatchEvent]:
        if not content_ids:
            return []
        stmt = (
            select(MatchEventRow)
            .where(MatchEventRow.content_id.in_(sorted(set(content_ids))))
            .order_by(MatchEventRow.id)
            .limit(limit)
        )
        return [_event(r) for r in self._s.scalars(stmt)]
