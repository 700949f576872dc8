"""Tables for law-enforcement requests, the platform's answers and police e-mail domains.

Times are UTC seconds (floats). A request keeps its SLA policy as resolved when it was submitted.
Targets and answer packages are JSON: they are read whole with their request, never queried by
value. `case_id` is indexed so evidence packages can list a case's requests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from haechi.adapters.sql.tables import Base, BigId


class PoliceDomainRow(Base):
    __tablename__ = "police_domain"
    __table_args__ = (Index("ux_police_domain_org_domain", "org_id", "domain", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    domain: Mapped[str] = mapped_column(String(253))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[float] = mapped_column(Float)


class LeRequestRow(Base):
    __tablename__ = "le_request"
    __table_args__ = (
        Index("ix_le_request_police_submitted", "police_org_id", "submitted_at"),
        Index("ix_le_request_platform_received", "platform_org_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(16))
    police_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    platform_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    agency: Mapped[str] = mapped_column(String(200))
    officer: Mapped[str] = mapped_column(String(200))
    officer_email: Mapped[str] = mapped_column(String(254), index=True)
    badge: Mapped[str] = mapped_column(String(100))
    statute: Mapped[str] = mapped_column(Text)
    instrument: Mapped[str] = mapped_column(String(32))
    instrument_ref: Mapped[str] = mapped_column(String(400))
    targets: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(16))
    date_from: Mapped[str | None] = mapped_column(String(10))
    date_to: Mapped[str | None] = mapped_column(String(10))
    case_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    case_number: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    #: threat, supervisor (emergency requests only)
    emergency: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy_spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    verification: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[float] = mapped_column(Float)
    received_at: Mapped[float | None] = mapped_column(Float)
    due_at: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[float | None] = mapped_column(Float)
    verified_by: Mapped[str | None] = mapped_column(String(100))
    attachment_key: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None] = mapped_column(BigInteger)
    preserve_until: Mapped[float | None] = mapped_column(Float)
    renewed_at: Mapped[float | None] = mapped_column(Float)
    reminded_at: Mapped[float | None] = mapped_column(Float)

    responses: Mapped[list[LeResponseRow]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LeResponseRow.id",
    )


class LeResponseRow(Base):
    __tablename__ = "le_response"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("le_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[float] = mapped_column(Float)
    responder: Mapped[str] = mapped_column(String(100))
    disposition: Mapped[str] = mapped_column(String(16))
    #: {"records": [...], "withheld": [...]}
    package: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    attested: Mapped[bool] = mapped_column(Boolean)

    request: Mapped[LeRequestRow] = relationship(back_populates="responses")
