"""Tables for rooms, accounts, posts, migrations and blocklists (issue 8).

A room is unique per (platform, external id); `link_key` (`telegram:+AbC`) finds a room by its
invite link. Posts keep the links found in them and the hashes posted, never the message text.
`room_post_item` ties a posted hash to the bank content or case item it matched, which is what
"confirmed items spread" and "which room seeded an item" are computed from. Times are UTC seconds.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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


class RoomRow(Base):
    __tablename__ = "room"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="ux_room_platform_external"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(256))
    title: Mapped[str] = mapped_column(String(400))
    invite_link: Mapped[str | None] = mapped_column(Text)
    link_key: Mapped[str | None] = mapped_column(String(300), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    member_count: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float)
    source_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class RoomMemberSampleRow(Base):
    __tablename__ = "room_member_sample"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    at: Mapped[float] = mapped_column(Float)
    member_count: Mapped[int] = mapped_column(Integer)


class RoomAccountRow(Base):
    __tablename__ = "room_account"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="ux_room_account_platform_external"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(256))
    handle: Mapped[str | None] = mapped_column(String(256))
    first_seen_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float)


class RoomPostRow(Base):
    __tablename__ = "room_post"
    __table_args__ = (
        UniqueConstraint("room_id", "external_id", name="ux_room_post_room_external"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("room_account.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(256))
    posted_at: Mapped[float] = mapped_column(Float)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[float] = mapped_column(Float)


class RoomPostItemRow(Base):
    __tablename__ = "room_post_item"
    __table_args__ = (Index("ix_room_post_item_type_value", "signal_type", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("room_post.id", ondelete="CASCADE"), index=True)
    signal_type: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(1024))
    bank_content_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    case_item_id: Mapped[int | None] = mapped_column(BigInteger, index=True)


class RoomCaseRow(Base):
    __tablename__ = "room_case"
    __table_args__ = (UniqueConstraint("room_id", "case_id", name="ux_room_case_room_case"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[float] = mapped_column(Float)


class RoomMigrationRow(Base):
    __tablename__ = "room_migration"
    __table_args__ = (
        UniqueConstraint("from_room_id", "to_room_id", name="ux_room_migration_from_to"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    from_room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    to_room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(BigInteger)
    link: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[float] = mapped_column(Float)


class RoomAlertRow(Base):
    __tablename__ = "room_alert"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    migration_id: Mapped[int] = mapped_column(
        ForeignKey("room_migration.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[float] = mapped_column(Float)


class BlocklistRow(Base):
    __tablename__ = "blocklist"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: bumped on every add or removal: the RPZ serial's base
    changes: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class BlocklistEntryRow(Base):
    __tablename__ = "blocklist_entry"
    __table_args__ = (Index("ix_blocklist_entry_list_value", "blocklist_id", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    blocklist_id: Mapped[int] = mapped_column(ForeignKey("blocklist.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(2048))
    reason: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(BigInteger)
    room_id: Mapped[int | None] = mapped_column(BigInteger)
    effective_from: Mapped[float] = mapped_column(Float)
    removed_at: Mapped[float | None] = mapped_column(Float)
    removal_reason: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Float)
