"""SQLAlchemy 2 table definitions for the core data model (banks, content, signals, change feed).

The same schema runs on embedded SQLite (the default) and PostgreSQL. Alembic migrations in
`haechi/migrations` create it; `metadata` here is what they are checked against.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class BankRow(Base):
    __tablename__ = "bank"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    matching_enabled_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    thresholds: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)

    contents: Mapped[list[BankContentRow]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", passive_deletes=True
    )


class BankContentRow(Base):
    __tablename__ = "bank_content"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    disable_until_ts: Mapped[int] = mapped_column(BigInteger, default=1)
    withdrawn_at: Mapped[float | None] = mapped_column(Float)
    original_media_uri: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(255))
    user_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)

    bank: Mapped[BankRow] = relationship(back_populates="contents")
    signals: Mapped[list[ContentSignalRow]] = relationship(
        back_populates="content", cascade="all, delete-orphan", passive_deletes=True
    )


class ContentSignalRow(Base):
    __tablename__ = "content_signal"
    __table_args__ = (Index("ix_content_signal_type_value", "signal_type", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    content_id: Mapped[int] = mapped_column(
        ForeignKey("bank_content.id", ondelete="CASCADE"), index=True
    )
    signal_type: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(1024))
    quality: Mapped[int | None] = mapped_column(Integer)

    content: Mapped[BankContentRow] = relationship(back_populates="signals")


class ChangeRow(Base):
    """Append-only change feed: every replica's in-memory index replays it to stay current."""

    __tablename__ = "change_feed"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float)
    bank_id: Mapped[int | None] = mapped_column(BigInteger)
    content_id: Mapped[int | None] = mapped_column(BigInteger)


class MatchEventRow(Base):
    __tablename__ = "match_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    requester: Mapped[str | None] = mapped_column(String(128))
    route: Mapped[str] = mapped_column(String(64))
    signal_type: Mapped[str] = mapped_column(String(64))
    query_value: Mapped[str] = mapped_column(String(1024))
    content_id: Mapped[int] = mapped_column(BigInteger, index=True)
    bank_name: Mapped[str] = mapped_column(String(128))
    distance: Mapped[int] = mapped_column(Integer)
    #: dihedral transform of the query that matched (None for the image as given)
    transform: Mapped[str | None] = mapped_column(String(16))
