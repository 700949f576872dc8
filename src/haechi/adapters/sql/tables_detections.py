"""Tables for detector results and routing rules (issue 7).

`detection_result` keeps one row per item and detector (a re-run replaces it); `routing_rule` holds
each organisation's rules; `routing_hit` records which rule matched which item, with the rule's
name and expression copied so the record stays readable after the rule is edited or deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class DetectionResultRow(Base):
    __tablename__ = "detection_result"
    __table_args__ = (
        Index("ux_detection_result_item_detector", "item_id", "detector", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    detector: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(200))
    #: [{"name", "value", "detail"}, ...]
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    latency_ms: Mapped[float] = mapped_column(Float)
    batch_size: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class RoutingRuleRow(Base):
    __tablename__ = "routing_rule"
    __table_args__ = (Index("ux_routing_rule_org_name", "org_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    expression: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(24))
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class RoutingHitRow(Base):
    __tablename__ = "routing_hit"
    __table_args__ = (Index("ix_routing_hit_item_rule", "item_id", "rule_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rule.id", ondelete="SET NULL"))
    rule_name: Mapped[str] = mapped_column(String(120))
    expression: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(24))
    signals: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    created_at: Mapped[float] = mapped_column(Float)
