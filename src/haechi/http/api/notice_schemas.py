"""Schemas of the notices, board and webhook API (`/api/v1/notices`, `/api/v1/webhooks`).

Times are UTC seconds since the epoch, as everywhere in `/api/v1`; durations are seconds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from haechi.domain.notices import ItemKind, Notice, NoticeItem, Outcome
from haechi.domain.webhooks import Delivery, Event, WebhookEndpoint
from haechi.services.board import Board, NoticeFigures, PlatformFigures


class ItemCreate(BaseModel):
    kind: ItemKind
    value: str = Field(max_length=2048, description="hash, URL, message link or room")
    signal_type: str | None = Field(None, description="for hash items: pdq, md5, sha256, …")


class NoticeCreate(BaseModel):
    platform: str = Field(description="name of the platform organisation addressed")
    legal_ground: str = Field(max_length=4000)
    policy: str = Field("kcsc_24h", description="kcsc_24h, take_it_down_48h or custom")
    sla: dict[str, Any] | None = Field(
        None,
        description='custom deadlines, e.g. {"ack": {"rule": "elapsed", "hours": 2}, '
        '"act": {"rule": "business_days", "days": 1}, "zone": "Asia/Seoul"}',
    )
    items: list[ItemCreate] = Field(min_length=1, max_length=1000)
    case_id: int | None = None
    note: str | None = Field(None, max_length=4000)


class OutcomeReport(BaseModel):
    item_id: int
    outcome: Outcome
    reason: str | None = Field(None, max_length=4000, description="required for refused")


class OutcomesReport(BaseModel):
    outcomes: list[OutcomeReport] = Field(min_length=1, max_length=1000)


class ItemPublic(BaseModel):
    id: int
    kind: ItemKind
    value: str
    signal_type: str | None
    outcome: Outcome | None
    reason: str | None
    outcome_at: float | None

    @classmethod
    def of(cls, item: NoticeItem) -> ItemPublic:
        return cls(
            id=item.id,
            kind=item.kind,
            value=item.value,
            signal_type=item.signal_type,
            outcome=item.outcome,
            reason=item.reason,
            outcome_at=item.outcome_at,
        )


class ClockPublic(BaseModel):
    due_at: float
    done_at: float | None
    overdue: bool = Field(description="still running and past due")
    late: bool = Field(description="stopped after it was due")
    remaining_s: float = Field(description="until due; negative when overdue")


class NoticePublic(BaseModel):
    id: int
    from_org: str
    to_org: str
    case_id: int | None
    legal_ground: str
    note: str | None
    policy: dict[str, Any]
    stage: str
    sent_at: float
    acknowledge: ClockPublic
    act: ClockPublic
    escalate_at: float
    needs_escalation: bool
    escalated_at: float | None = Field(description="when the escalation was raised, once")
    items_total: int
    answered: int
    removed: int
    items: list[ItemPublic] | None = Field(None, description="listed when one notice is read")

    @classmethod
    def of(cls, n: Notice, now: float, *, with_items: bool = True) -> NoticePublic:
        def clock(c: Any) -> ClockPublic:
            return ClockPublic(
                due_at=c.due_at,
                done_at=c.done_at,
                overdue=c.overdue(now),
                late=c.late,
                remaining_s=c.remaining(now),
            )

        return cls(
            id=n.id,
            from_org=n.from_org,
            to_org=n.to_org,
            case_id=n.case_id,
            legal_ground=n.legal_ground,
            note=n.note,
            policy=n.policy.to_dict(),
            stage=n.stage.value,
            sent_at=n.sent_at,
            acknowledge=clock(n.ack_clock),
            act=clock(n.act_clock),
            escalate_at=n.escalate_at,
            needs_escalation=n.needs_escalation(now),
            escalated_at=n.escalated_at,
            items_total=len(n.items),
            answered=n.answered,
            removed=n.count(Outcome.REMOVED),
            items=[ItemPublic.of(i) for i in n.items] if with_items else None,
        )


class BoardNotice(BaseModel):
    id: int
    platform: str
    stage: str
    headline: str
    items: int
    removed: int
    answered: int
    ack_overdue: bool
    act_overdue: bool
    needs_escalation: bool
    slowest_s: float | None
    sent_at: float
    ack_due_at: float
    act_due_at: float

    @classmethod
    def of(cls, f: NoticeFigures) -> BoardNotice:
        n = f.notice
        return cls(
            id=n.id,
            platform=n.to_org,
            stage=n.stage.value,
            headline=f.headline,
            items=len(n.items),
            removed=f.removed,
            answered=f.answered,
            ack_overdue=f.ack_overdue,
            act_overdue=f.act_overdue,
            needs_escalation=f.escalate,
            slowest_s=f.slowest_s,
            sent_at=n.sent_at,
            ack_due_at=n.ack_due_at,
            act_due_at=n.act_due_at,
        )


class BoardPlatform(BaseModel):
    platform: str
    headline: str
    notices: int
    open: int
    ack_overdue: int
    act_overdue: int
    escalations: int
    acted_late: int
    items: int
    removed: int
    outcomes: dict[str, int]
    slowest_s: float | None
    ack_median_s: float | None
    ack_p90_s: float | None
    act_median_s: float | None
    act_p90_s: float | None

    @classmethod
    def of(cls, p: PlatformFigures) -> BoardPlatform:
        fields = {k: getattr(p, k) for k in cls.model_fields if k not in ("platform", "headline")}
        return cls(platform=p.name, headline=p.headline, **fields)


class BoardPublic(BaseModel):
    at: float
    since: float
    platforms: list[BoardPlatform]
    notices: list[BoardNotice]

    @classmethod
    def of(cls, board: Board) -> BoardPublic:
        return cls(
            at=board.at,
            since=board.since,
            platforms=[BoardPlatform.of(p) for p in board.platforms],
            notices=[BoardNotice.of(f) for f in board.notices],
        )


class WebhookCreate(BaseModel):
    url: str = Field(max_length=2048)
    events: list[Event] = Field(default_factory=list, description="empty: every event")


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[Event]
    created_at: float

    @classmethod
    def of(cls, e: WebhookEndpoint) -> WebhookPublic:
        return cls(id=e.id, url=e.url, events=sorted(e.events), created_at=e.created_at)


class WebhookSecret(BaseModel):
    endpoint: WebhookPublic
    secret: str = Field(description="shown once; verify X-Haechi-Signature with it")


class DeliveryPublic(BaseModel):
    id: int
    event: Event
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float
    delivered_at: float | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryPublic:
        return cls(
            id=d.id,
            event=d.event,
            status=d.status.value,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
        )
