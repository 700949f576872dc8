"""SQL store for rooms, accounts and posts (issue 8); graph reads and blocklists are mixed in.

A room handed back carries its case links and the number of confirmed items posted in it,
computed with two grouped queries per read, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.blocklist_store import BlocklistSql
from haechi.adapters.sql.room_graph_store import RoomGraphSql
from haechi.adapters.sql.tables_rooms import (
    RoomAccountRow,
    RoomCaseRow,
    RoomMemberSampleRow,
    RoomPostItemRow,
    RoomPostRow,
    RoomRow,
)
from haechi.domain.rooms import Room
from haechi.services.ports_rooms import NewPost, PostItem, PostView, RoomUpdate


class SqlRoomStore(RoomGraphSql, BlocklistSql):
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- rooms ---------------------------------------------------------------------------------
    def _rooms(self, rows: Sequence[RoomRow]) -> list[Room]:
        ids = [r.id for r in rows]
        cases: dict[int, list[int]] = {}
        if ids:
            links = select(RoomCaseRow.room_id, RoomCaseRow.case_id).where(
                RoomCaseRow.room_id.in_(ids)
            )
            for room_id, case_id in self._session.execute(links.order_by(RoomCaseRow.case_id)):
                cases.setdefault(room_id, []).append(case_id)
        confirmed = self.confirmed_counts(ids)
        return [
            Room(
                id=r.id,
                platform=r.platform,
                external_id=r.external_id,
                title=r.title,
                invite_link=r.invite_link,
                link_key=r.link_key,
                member_count=r.member_count,
                first_seen_at=r.first_seen_at,
                last_seen_at=r.last_seen_at,
                tags=tuple(r.tags or ()),
                case_ids=tuple(cases.get(r.id, ())),
                confirmed_items=confirmed.get(r.id, 0),
            )
            for r in rows
        ]

    def _one(self, row: RoomRow | None) -> Room | None:
        return None if row is None else self._rooms([row])[0]

    def find_room(self, platform: str, external_id: str) -> Room | None:
        query = select(RoomRow).where(
            RoomRow.platform == platform, RoomRow.external_id == external_id
        )
        return self._one(self._session.scalars(query).first())

    def find_room_by_link(self, link_key: str) -> Room | None:
        query = select(RoomRow).where(RoomRow.link_key == link_key).order_by(RoomRow.id)
        return self._one(self._session.scalars(query).first())

    def get_room(self, room_id: int) -> Room | None:
        return self._one(self._session.get(RoomRow, room_id))

    def get_rooms(self, room_ids: Sequence[int]) -> list[Room]:
        if not room_ids:
            return []
        rows = self._session.scalars(
            select(RoomRow).where(RoomRow.id.in_(list(room_ids))).order_by(RoomRow.id)
        )
        return self._rooms(list(rows))

    def list_rooms(self, *, platform: str | None, tag: str | None, limit: int) -> list[Room]:
        query = select(RoomRow).order_by(RoomRow.last_seen_at.desc(), RoomRow.id.desc())
        if platform is not None:
            query = query.where(RoomRow.platform == platform)
        rows = list(self._session.scalars(query))
        if tag is not None:  # tags are a JSON list: filtered here, portable across databases
            rows = [r for r in rows if tag in (r.tags or ())]
        return self._rooms(rows[:limit])

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
    ) -> Room:
        row = RoomRow(
            platform=platform,
            external_id=external_id,
            title=title,
            invite_link=invite_link,
            link_key=link_key,
            tags=[],
            first_seen_at=at,
            last_seen_at=at,
            source_org_id=source_org_id,
        )
        self._session.add(row)
        self._session.flush()
        return self._rooms([row])[0]

    def update_room(self, room_id: int, change: RoomUpdate, *, seen_at: float) -> None:
        row = self._session.get(RoomRow, room_id)
        assert row is not None
        for name in ("title", "invite_link", "link_key", "member_count", "external_id"):
            value = getattr(change, name)
            if value is not None:
                setattr(row, name, value)
        row.first_seen_at = min(row.first_seen_at, seen_at)
        row.last_seen_at = max(row.last_seen_at, seen_at)
        self._session.flush()

    def set_tags(self, room_id: int, tags: Sequence[str]) -> None:
        row = self._session.get(RoomRow, room_id)
        assert row is not None
        row.tags = list(tags)

    def add_member_sample(self, room_id: int, *, at: float, member_count: int) -> None:
        self._session.add(RoomMemberSampleRow(room_id=room_id, at=at, member_count=member_count))

    def member_samples(self, room_id: int) -> list[tuple[float, int]]:
        query = (
            select(RoomMemberSampleRow.at, RoomMemberSampleRow.member_count)
            .where(RoomMemberSampleRow.room_id == room_id)
            .order_by(RoomMemberSampleRow.at, RoomMemberSampleRow.id)
        )
        return [(at, count) for at, count in self._session.execute(query)]

    # -- accounts and posts ----------------------------------------------------------------------
    def upsert_accounts(
        self, *, platform: str, accounts: Sequence[tuple[str, str | None, float]]
    ) -> dict[str, int]:
        wanted: dict[str, tuple[str | None, float, float]] = {}
        for external_id, handle, at in accounts:
            old = wanted.get(external_id)
            first, last = (at, at) if old is None else (min(old[1], at), max(old[2], at))
            wanted[external_id] = (handle or (old[0] if old else None), first, last)
        if not wanted:
            return {}
        query = select(RoomAccountRow).where(
            RoomAccountRow.platform == platform, RoomAccountRow.external_id.in_(list(wanted))
        )
        rows = {row.external_id: row for row in self._session.scalars(query)}
        for external_id, (handle, first, last) in wanted.items():
            row = rows.get(external_id)
            if row is None:
                row = RoomAccountRow(
                    platform=platform,
                    external_id=external_id,
                    handle=handle,
                    first_seen_at=first,
                    last_seen_at=last,
                )
                self._session.add(row)
                rows[external_id] = row
                continue
            row.handle = handle or row.handle
            row.first_seen_at = min(row.first_seen_at, first)
            row.last_seen_at = max(row.last_seen_at, last)
        self._session.flush()
        return {external_id: row.id for external_id, row in rows.items()}

    def add_posts(self, room_id: int, posts: Sequence[NewPost], *, at: float) -> dict[str, int]:
        if not posts:
            return {}
        query = select(RoomPostRow.external_id).where(
            RoomPostRow.room_id == room_id,
            RoomPostRow.external_id.in_([p.external_id for p in posts]),
        )
        known = set(self._session.scalars(query))
        rows = [
            RoomPostRow(
                room_id=room_id,
                account_id=p.account_id,
                external_id=p.external_id,
                posted_at=p.posted_at,
                links=list(p.links),
                recorded_at=at,
            )
            for p in posts
            if p.external_id not in known
        ]
        self._session.add_all(rows)
        self._session.flush()
        return {row.external_id: row.id for row in rows}

    def add_post_items(self, items: Sequence[tuple[int, PostItem]]) -> None:
        self._session.add_all(
            RoomPostItemRow(
                post_id=post_id,
                signal_type=i.signal_type,
                value=i.value,
                bank_content_id=i.bank_content_id,
                case_item_id=i.case_item_id,
            )
            for post_id, i in items
        )
        self._session.flush()

    def posts(self, room_id: int, *, limit: int) -> list[PostView]:
        query = (
            select(RoomPostRow, RoomAccountRow.handle, RoomAccountRow.external_id)
            .outerjoin(RoomAccountRow, RoomAccountRow.id == RoomPostRow.account_id)
            .where(RoomPostRow.room_id == room_id)
            .order_by(RoomPostRow.posted_at, RoomPostRow.id)
            .limit(limit)
        )
        rows = list(self._session.execute(query))
        facts = self.post_facts([room_id])
        items: dict[int, list[bool]] = {}
        for fact in facts:
            items.setdefault(fact.post_id, []).append(fact.confirmed)
        return [
            PostView(
                id=post.id,
                external_id=post.external_id,
                posted_at=post.posted_at,
                account=handle or account_ext,
                links=tuple(post.links or ()),
                items=len(items.get(post.id, [])),
                confirmed=sum(items.get(post.id, [])),
            )
            for post, handle, account_ext in rows
        ]

    def count_rooms(self) -> int:
        return int(self._session.scalar(select(func.count(RoomRow.id))) or 0)
