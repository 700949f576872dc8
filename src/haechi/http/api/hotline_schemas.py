"""Pydantic schemas of the hotline API (`/api/v1/cases/{number}/messages`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from haechi.domain.hotline import Message, ReplyClock
from haechi.services.hotline import ThreadView


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=20_000)
    to_org: str | None = Field(None, description="name of the participant expected to reply")
    reply_within_h: float | None = Field(None, description="reply clock in hours (needs to_org)")


class ReadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_ids: list[int] | None = Field(None, description="none: every message of the thread")


class AttachmentPublic(BaseModel):
    sha256: str
    filename: str
    content_type: str
    size: int


class ReceiptPublic(BaseModel):
    org: str
    reader: str
    read_at: float


class ClockPublic(BaseModel):
    due_at: float
    answered_at: float | None
    overdue: bool
    late: bool

    @classmethod
    def of(cls, clock: ReplyClock) -> ClockPublic:
        return cls(
            due_at=clock.due_at,
            answered_at=clock.answered_at,
            overdue=clock.overdue,
            late=clock.late,
        )


class MessagePublic(BaseModel):
    id: int
    from_org: str
    author: str
    to_org: str | None
    body: str
    via: str
    created_at: float
    attachments: list[AttachmentPublic]
    reply_clock: ClockPublic | None = None
    read_by: list[ReceiptPublic] = Field(default_factory=list)

    @classmethod
    def of(cls, m: Message, names: dict[int, str], view: ThreadView | None = None) -> MessagePublic:
        clock = view.clocks.get(m.id) if view is not None else None
        receipts = view.readers(m.id) if view is not None else []
        return cls(
            id=m.id,
            from_org=names.get(m.from_org_id, str(m.from_org_id)),
            author=m.author,
            to_org=None if m.to_org_id is None else names.get(m.to_org_id, str(m.to_org_id)),
            body=m.body,
            via=m.via.value,
            created_at=m.created_at,
            attachments=[
                AttachmentPublic(
                    sha256=a.sha256, filename=a.filename, content_type=a.content_type, size=a.size
                )
                for a in m.attachments
            ],
            reply_clock=None if clock is None else ClockPublic.of(clock),
            read_by=[
                ReceiptPublic(
                    org=names.get(r.org_id, str(r.org_id)), reader=r.reader, read_at=r.read_at
                )
                for r in receipts
            ],
        )


class ThreadPublic(BaseModel):
    case: str
    participants: list[str]
    messages: list[MessagePublic]
    overdue: list[int] = Field(description="ids of messages whose reply clock ran out unanswered")

    @classmethod
    def of(cls, view: ThreadView) -> ThreadPublic:
        names = view.participants
        return cls(
            case=view.case.number,
            participants=sorted(names.values()),
            messages=[MessagePublic.of(m, names, view) for m in view.messages],
            overdue=[c.message_id for c in view.overdue],
        )
