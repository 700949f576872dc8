"""Tables for hotline threads: one thread per case, its messages and per-reader read receipts.

Attachments are a JSON list on the message (SHA-256, name, type, size); the bytes live in the blob
store. `reply_due_at` is set when a message is addressed to an organisation with a reply clock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class HotlineMessageRow(Base):
    __tablename__ = "hotline_message"
    __table_args__ = (Index("ix_hotline_message_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    author: Mapped[str] = mapped_column(String(200))
    to_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(16))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reply_due_at: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class HotlineReceiptRow(Base):
    __tablename__ = "hotline_receipt"
    __table_args__ = (
        Index("ux_hotline_receipt_message_reader", "message_id", "reader", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("hotline_message.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    reader: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[float] = mapped_column(Float)
