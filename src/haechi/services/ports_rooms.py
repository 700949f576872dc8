"""Port for rooms, their posts and migrations, and blocklists (`UnitOfWork.rooms`, issue 8).

One store, two narrow halves (`RoomGraphStore`, `BlocklistStore`), so each adapter module stays
short. Never commits: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from haechi.domain.blocklists import Entry, EntryKind
from haechi.domain.room_graph import PostFact
from haechi.domain.rooms import Migration, Room, RoomAlert


@dataclass(frozen=True, slots=True)
class PostItem:
    """A hash posted in a room and what it matched (bank content, case item), if anything."""

    signal_type: str
    value: str
    bank_content_id: int | None = None
    case_item_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewPost:
    external_id: str
    account_id: int | None
    posted_at: float
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseItemRef:
    case_id: int
    item_id: int
    bank_content_id: int | None
    signal_type: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class PostView:
    id: int
    external_id: str
    posted_at: float
    account: str | None
    links: tuple[str, ...]
    items: int
    confirmed: int


@dataclass(frozen=True, slots=True)
class RoomUpdate:
    title: str | None = None
    invite_link: str | None = None
    link_key: str | None = None
    member_count: int | None = None
    external_id: str | None = None


class RoomGraphStore(Protocol):
    def find_room(self, platform: str, external_id: str) -> Room | None: ...
    def find_room_by_link(self, link_key: str) -> Room | None: ...
    def get_room(self, room_id: int) -> Room | None: ...
    def get_rooms(self, room_ids: Sequence[int]) -> list[Room]: ...
    def list_rooms(self, *, platform: str | None, tag: str | None, limit: int) -> list[Room]: ...
    def add_room(
        self,
        *,
        platform: str,
        external_id: str,
        title: str,
        invite_link: str | None,
        link_key: str | None,
        at: float,
        source_org_id: int | None,
    ) -> Room: ...
    def update_room(self, room_id: int, change: RoomUpdate, *, seen_at: float) -> None:
        """Set the given fields (None keeps a value); first/last seen widen to `seen_at`."""

    def set_tags(self, room_id: int, tags: Sequence[str]) -> None: ...
    def add_member_sample(self, room_id: int, *, at: float, member_count: int) -> None: ...
    def member_samples(self, room_id: int) -> list[tuple[float, int]]: ...
    def upsert_accounts(
        self, *, platform: str, accounts: Sequence[tuple[str, str | None, float]]
    ) -> dict[str, int]:
        """Ids of (external id, handle, seen at) accounts, created or widened in one batch."""

    def add_posts(self, room_id: int, posts: Sequence[NewPost], *, at: float) -> dict[str, int]:
        """Add the posts the room does not have yet; returns external id -> id of the new ones."""

    def add_post_items(self, items: Sequence[tuple[int, PostItem]]) -> None:
        """(post id, item) pairs."""

    def posts(self, room_id: int, *, limit: int) -> list[PostView]: ...
    def case_items_for(
        self, *, signals: Sequence[tuple[str, str]], content_ids: Sequence[int]
    ) -> list[CaseItemRef]:
        """Case items holding exactly one of these signals, or banked as one of these contents."""

    def link_case(self, room_id: int, case_id: int, *, reason: str, by: str, at: float) -> bool:
        """Tie a room to a case; False when it already was."""

    def rooms_for_case(self, case_id: int) -> list[int]: ...
    def neighbours(self, room_ids: Sequence[int]) -> set[int]:
        """Rooms sharing an account, an item or a migration with any of `room_ids`."""

    def post_facts(self, room_ids: Sequence[int] | None) -> list[PostFact]: ...
    def room_accounts(self, room_ids: Sequence[int] | None) -> list[tuple[int, int]]:
        """Distinct (room id, account id) pairs of posters."""

    def add_migration(
        self, *, from_room_id: int, to_room_id: int, post_id: int | None, link: str, at: float
    ) -> Migration | None:
        """A new migration, or None when this room already pointed there."""

    def migrations(self, room_ids: Sequence[int] | None) -> list[Migration]: ...
    def add_alert(self, *, case_id: int, org_id: int, migration_id: int, at: float) -> int: ...
    def alerts_for_case(self, case_id: int) -> list[RoomAlert]: ...


@dataclass(frozen=True, slots=True)
class BlocklistInfo:
    name: str
    changes: int
    changed_at: float
    active: int
    removed: int


class BlocklistStore(Protocol):
    def blocklist(self, name: str) -> BlocklistInfo | None: ...
    def blocklists(self) -> list[BlocklistInfo]: ...
    def add_entry(
        self,
        *,
        list_name: str,
        kind: EntryKind,
        value: str,
        reason: str,
        case_id: int | None,
        room_id: int | None,
        effective_from: float,
        by: str,
        at: float,
    ) -> Entry:
        """Add an entry, creating the list on first use, and count a change."""

    def active_entry(self, list_name: str, value: str) -> Entry | None:
        """The entry for `value` that is not removed, if any."""

    def get_entry(self, entry_id: int) -> Entry | None: ...
    def remove_entry(self, entry_id: int, *, reason: str, at: float) -> None:
        """Mark removed and count a change."""

    def entries(self, list_name: str) -> list[Entry]: ...


class RoomStore(RoomGraphStore, BlocklistStore, Protocol):
    """Filled in by issue 8: rooms, posts, migrations, alerts and blocklists."""
