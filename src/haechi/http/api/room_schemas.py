"""Schemas of the rooms and blocklists API (`/api/v1/rooms`, `/api/v1/blocklists`).

The observation body is the connector contract (see `domain.room_observations`): times are
ISO-8601 with a zone; everything returned uses UTC seconds like the rest of `/api/v1`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from haechi.domain.blocklists import Entry, EntryKind
from haechi.domain.room_observations import Observation, ObservedAccount, ObservedPost
from haechi.domain.rooms import Room
from haechi.services.ports_rooms import BlocklistInfo
from haechi.services.room_reads import RoomDetail


class HashIn(BaseModel):
    signal_type: str = Field(max_length=64, description="pdq, md5, sha256, …")
    value: str = Field(max_length=1024)


class AccountIn(BaseModel):
    external_id: str = Field(max_length=256)
    handle: str | None = Field(None, max_length=256)


class PostIn(BaseModel):
    external_id: str = Field(max_length=256)
    account: AccountIn | None = None
    posted_at: AwareDatetime
    text: str | None = Field(None, max_length=20_000, description="scanned for links, not stored")
    hashes: list[HashIn] = Field(default_factory=list, max_length=32)
    matched_content_ids: list[int] = Field(default_factory=list, max_length=32)


class ObservationIn(BaseModel):
    platform: str = Field(max_length=32, examples=["telegram"])
    external_id: str = Field(max_length=256, examples=["-100123"])
    title: str = Field("", max_length=1000)
    invite_link: str | None = Field(None, max_length=2048)
    member_count: int | None = Field(None, ge=0)
    observed_at: AwareDatetime
    description: str | None = Field(None, max_length=20_000)
    posts: list[PostIn] = Field(default_factory=list, max_length=2000)

    def domain(self) -> Observation:
        return Observation(
            platform=self.platform,
            external_id=self.external_id,
            title=self.title,
            observed_at=self.observed_at.timestamp(),
            invite_link=self.invite_link,
            member_count=self.member_count,
            description=self.description,
            posts=tuple(
                ObservedPost(
                    external_id=p.external_id,
                    posted_at=p.posted_at.timestamp(),
                    account=ObservedAccount(p.account.external_id, p.account.handle)
                    if p.account
                    else None,
                    text=p.text,
                    hashes=tuple((h.signal_type, h.value) for h in p.hashes),
                    matched_content_ids=tuple(p.matched_content_ids),
                )
                for p in self.posts
            ),
        )


class ObservationOut(BaseModel):
    room_id: int
    created: bool
    posts_added: int
    items: int
    cases: list[int]
    migrations: int
    alerts: list[dict[str, Any]]


class RoomPublic(BaseModel):
    id: int
    platform: str
    external_id: str
    title: str
    invite_link: str | None
    member_count: int | None
    first_seen_at: float
    last_seen_at: float
    tags: list[str]
    case_ids: list[int]
    confirmed_items: int
    flagged: bool
    link_only: bool

    @classmethod
    def of(cls, r: Room) -> RoomPublic:
        return cls(
            id=r.id,
            platform=r.platform,
            external_id=r.external_id,
            title=r.title,
            invite_link=r.invite_link,
            member_count=r.member_count,
            first_seen_at=r.first_seen_at,
            last_seen_at=r.last_seen_at,
            tags=list(r.tags),
            case_ids=list(r.case_ids),
            confirmed_items=r.confirmed_items,
            flagged=r.flagged,
            link_only=r.link_only,
        )


class RoomDetailPublic(BaseModel):
    room: RoomPublic
    cases: dict[int, str]
    member_counts: list[tuple[float, int]]
    posts: list[dict[str, Any]]
    migrations: list[dict[str, Any]]

    @classmethod
    def of(cls, d: RoomDetail) -> RoomDetailPublic:
        return cls(
            room=RoomPublic.of(d.room),
            cases=d.cases,
            member_counts=d.samples,
            posts=[
                {
                    "id": p.id,
                    "external_id": p.external_id,
                    "posted_at": p.posted_at,
                    "account": p.account,
                    "links": list(p.links),
                    "items": p.items,
                    "confirmed_items": p.confirmed,
                }
                for p in d.posts
            ],
            migrations=[
                {
                    "from_room_id": m.from_room_id,
                    "to_room_id": m.to_room_id,
                    "to_platform": d.titles.get(m.to_room_id, ("", ""))[0],
                    "seen_at": m.seen_at,
                    "link": m.link,
                }
                for m in d.migrations
            ],
        )


class TagsIn(BaseModel):
    tags: list[str] = Field(max_length=20, examples=[["school:sample-high", "region:seoul"]])


class CaseLinkIn(BaseModel):
    case_number: str = Field(max_length=40, examples=["HC-2026-000001"])


class EntryIn(BaseModel):
    kind: EntryKind
    value: str = Field(max_length=2048)
    reason: str = Field(max_length=2000)
    case_id: int | None = None
    room_id: int | None = None
    effective_from: AwareDatetime | None = Field(None, description="default: now")


class RemovalIn(BaseModel):
    reason: str = Field(max_length=2000)


class EntryPublic(BaseModel):
    id: int
    list: str
    kind: EntryKind
    value: str
    reason: str
    case_id: int | None
    room_id: int | None
    effective_from: float
    removed_at: float | None
    removal_reason: str | None
    status: Literal["active", "scheduled", "removed"]

    @classmethod
    def of(cls, e: Entry, now: float) -> EntryPublic:
        status: Literal["active", "scheduled", "removed"] = (
            "removed" if e.removed_at is not None else "active" if e.active(now) else "scheduled"
        )
        return cls(
            id=e.id,
            list=e.list_name,
            kind=e.kind,
            value=e.value,
            reason=e.reason,
            case_id=e.case_id,
            room_id=e.room_id,
            effective_from=e.effective_from,
            removed_at=e.removed_at,
            removal_reason=e.removal_reason,
            status=status,
        )


class BlocklistPublic(BaseModel):
    name: str
    serial_base: int
    changed_at: float
    active: int
    removed: int
    formats: dict[str, str]

    @classmethod
    def of(cls, b: BlocklistInfo) -> BlocklistPublic:
        base = f"/api/v1/blocklists/{b.name}"
        return cls(
            name=b.name,
            serial_base=b.changes,
            changed_at=b.changed_at,
            active=b.active,
            removed=b.removed,
            formats={f: f"{base}.{f}" for f in ("txt", "csv", "rpz")},
        )
