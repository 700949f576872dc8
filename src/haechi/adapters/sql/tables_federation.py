"""Tables for federation, exchange imports, flood control (issue 9).

Publisher side: `exchange_grant` (who may read which bank, in which regions), the publication log
`exchange_log` (add/retract per content item, its sequence is the feed checkpoint), what was last
published per item (`exchange_published`), how far the change feed was translated
(`exchange_cursor`, one row) and feedback received from subscribers (`exchange_feedback`).
Subscriber side: `exchange_source` (feeds this instance polls, with their checkpoint),
`exchange_import` (provenance of every received hash) and `exchange_feedback_out` (an outbox).
Flood control of direct bank writes: `flood_tally` (hashes that went live per writer and minute)
and `write_quarantine` (hashes held over the limit, with the decision taken on them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class ExchangeGrantRow(Base):
    __tablename__ = "exchange_grant"
    __table_args__ = (UniqueConstraint("org_id", "bank_id", name="uq_exchange_grant_org_bank"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    #: no foreign key: a grant outlives its bank so subscribers still read the bank's retractions
    bank_id: Mapped[int] = mapped_column(BigInteger, index=True)
    regions: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)


class ExchangeLogRow(Base):
    __tablename__ = "exchange_log"
    __table_args__ = (Index("ix_exchange_log_bank_seq", "bank_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    op: Mapped[str] = mapped_column(String(16))
    content_id: Mapped[int] = mapped_column(BigInteger)
    bank_id: Mapped[int] = mapped_column(BigInteger)
    signals: Mapped[dict[str, str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    at: Mapped[float] = mapped_column(Float)


class ExchangePublishedRow(Base):
    __tablename__ = "exchange_published"

    content_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bank_id: Mapped[int] = mapped_column(BigInteger, index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    signals: Mapped[dict[str, str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)


class ExchangeCursorRow(Base):
    """One row: the change-feed sequence already translated into the publication log, and the
    numbers below it still awaited from transactions not yet committed ({"seq": noticed_at})."""

    __tablename__ = "exchange_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    gaps: Mapped[dict[str, float]] = mapped_column(JSON)


class ExchangeFeedbackRow(Base):
    __tablename__ = "exchange_feedback"
    __table_args__ = (
        UniqueConstraint("org_id", "content_id", name="uq_exchange_feedback_org_content"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(BigInteger, index=True)
    verdict: Mapped[str] = mapped_column(String(32))
    at: Mapped[float] = mapped_column(Float)


class ExchangeSourceRow(Base):
    __tablename__ = "exchange_source"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    trust_mode: Mapped[str] = mapped_column(String(16))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    poll_interval_s: Mapped[float] = mapped_column(Float)
    token_env: Mapped[str | None] = mapped_column(String(128))
    token_sealed: Mapped[str | None] = mapped_column(Text)
    flood_per_hour: Mapped[int | None] = mapped_column(Integer)
    public_key_pem: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    checkpoint: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean)
    next_poll_at: Mapped[float] = mapped_column(Float, index=True)
    lease_until: Mapped[float] = mapped_column(Float)
    last_polled_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class ExchangeImportRow(Base):
    __tablename__ = "exchange_import"
    __table_args__ = (
        UniqueConstraint("source_id", "remote_id", name="uq_exchange_import_source_remote"),
        Index("ix_exchange_import_source_received", "source_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("exchange_source.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(256))
    content_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    signals: Mapped[dict[str, str]] = mapped_column(JSON)
    quarantined: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[float] = mapped_column(Float)
    decided_at: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(String(128))


class ExchangeFeedbackOutRow(Base):
    __tablename__ = "exchange_feedback_out"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_source.id", ondelete="CASCADE"), index=True
    )
    remote_id: Mapped[str] = mapped_column(String(256))
    verdict: Mapped[str] = mapped_column(String(32))
    at: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[float | None] = mapped_column(Float, index=True)


class FloodTallyRow(Base):
    """Hashes a writer (token, user) put live in one minute: a rolling hour sums 60 rows."""

    __tablename__ = "flood_tally"

    source: Mapped[str] = mapped_column(String(128), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)


class WriteQuarantineRow(Base):
    __tablename__ = "write_quarantine"

    content_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(128))
    at: Mapped[float] = mapped_column(Float, index=True)
    decided_at: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    approved: Mapped[bool | None] = mapped_column(Boolean)
