"""Tables for takedown notices, their items, and webhook endpoints with their delivery outbox.

Times are UTC seconds (floats). A notice keeps its SLA policy as resolved when it was sent (the
spec and the due times), so changing a named policy later never moves an existing deadline.
Webhook endpoints store a random nonce, never a secret: secrets are derived with the server key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from haechi.adapters.sql.tables import Base, BigId


class NoticeRow(Base):
    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_from_org_sent", "from_org_id", "sent_at"),
        Index("ix_notice_to_org_sent", "to_org_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    #: the case this notice came from, if any (no foreign key yet: cases land separately)
    case_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    legal_ground: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy_spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: resolved durations: due time minus sent time, in real seconds
    ack_seconds: Mapped[float] = mapped_column(Float)
    act_seconds: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    sent_at: Mapped[float] = mapped_column(Float)
    ack_due_at: Mapped[float] = mapped_column(Float)
    act_due_at: Mapped[float] = mapped_column(Float)
    escalate_at: Mapped[float] = mapped_column(Float)
    acknowledged_at: Mapped[float | None] = mapped_column(Float)
    acted_at: Mapped[float | None] = mapped_column(Float)
    #: when the escalation was raised (once), if the notice went unanswered past escalate_at
    escalated_at: Mapped[float | None] = mapped_column(Float)

    items: Mapped[list[NoticeItemRow]] = relationship(
        back_populates="notice",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="NoticeItemRow.id",
    )


class NoticeItemRow(Base):
    __tablename__ = "notice_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    signal_type: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[float | None] = mapped_column(Float)

    notice: Mapped[NoticeRow] = relationship(back_populates="items")


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON)
    #: random; the signing secret is HMAC(server key, id + nonce) and is never stored
    secret_nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    next_attempt_at: Mapped[float] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float)
