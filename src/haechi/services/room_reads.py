"""The room directory: list and read rooms, tag them, tie them to cases (by hand or from reports).

Rooms are instance-wide intelligence for holders of `rooms:read` (regulators' analysts, police
investigators, auditors); the cases a room is tied to are shown only where the reader may see
the case. Every read and write is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from haechi.domain.errors import NotFound
from haechi.domain.rooms import LinkPattern, Migration, Room, find_links, normalise_tags
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_rooms import PostView
from haechi.services.room_migrations import room_for_link

MAX_POSTS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class RoomDetail:
    room: Room
    cases: dict[int, str]
    samples: list[tuple[float, int]]
    posts: list[PostView]
    migrations: list[Migration]
    titles: dict[int, tuple[str, str]]


class RoomDirectory:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        patterns: tuple[LinkPattern, ...],
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._patterns = patterns
        self._now = now

    def list_rooms(
        self,
        principal: Principal,
        *,
        platform: str | None = None,
        tag: str | None = None,
        limit: int = 200,
    ) -> list[Room]:
        principal.require(Permission.ROOMS_READ)
        with self._uow() as uow:
            rooms = uow.rooms.list_rooms(platform=platform, tag=tag, limit=min(max(limit, 1), 1000))
            record(uow, principal, "room.list", "room", "-", count=len(rooms))
            return [_visible_cases(uow, principal, r) for r in rooms]

    def detail(self, principal: Principal, room_id: int) -> RoomDetail:
        principal.require(Permission.ROOMS_READ)
        with self._uow() as uow:
            room = _found(uow, room_id)
            room = _visible_cases(uow, principal, room)
            cases = {}
            for case_id in room.case_ids:
                case = uow.cases.get_case_by_id(case_id)
                if case is not None:
                    cases[case_id] = case.number
            moves = uow.rooms.migrations([room_id])
            others = uow.rooms.get_rooms(
                sorted({m.from_room_id for m in moves} | {m.to_room_id for m in moves})
            )
            record(uow, principal, "room.read", "room", room_id)
            return RoomDetail(
                room=room,
                cases=cases,
                samples=uow.rooms.member_samples(room_id),
                posts=uow.rooms.posts(room_id, limit=MAX_POSTS_SHOWN),
                migrations=moves,
                titles={r.id: (r.platform, r.title) for r in others},
            )

    def set_tags(self, principal: Principal, room_id: int, tags: Sequence[str]) -> Room:
        principal.require(Permission.ROOMS_WRITE)
        clean = normalise_tags(list(tags))
        with self._uow() as uow:
            _found(uow, room_id)
            uow.rooms.set_tags(room_id, clean)
            record(uow, principal, "room.tags", "room", room_id, tags=list(clean))
            return _found(uow, room_id)

    def link_case(self, principal: Principal, room_id: int, case_number: str) -> Room:
        """Tie a room to a case by hand (the analyst knows this room belongs to it)."""
        principal.require(Permission.ROOMS_WRITE)
        principal.require(Permission.CASES_WRITE)
        with self._uow() as uow:
            _found(uow, room_id)
            case = uow.cases.get_case(case_number.strip().upper())
            if case is None or not case.visible_to(principal.org_id):
                raise NotFound(f"case {case_number[:40]} not found")
            new = uow.rooms.link_case(
                room_id, case.id, reason="linked by analyst", by=principal.actor, at=self._now()
            )
            record(uow, principal, "room.link_case", "room", room_id, case=case.number, new=new)
            return _found(uow, room_id)

    def rooms_from_reports(self, principal: Principal, case_id: int) -> list[Room]:
        """Tie the rooms named in a case's reports (the `room` field, chat links) to the case."""
        principal.require(Permission.ROOMS_WRITE)
        principal.require(Permission.CASES_WRITE)
        now = self._now()
        with self._uow() as uow:
            case = uow.cases.get_case_by_id(case_id)
            if case is None or not case.visible_to(principal.org_id):
                raise NotFound(f"case {case_id} not found")
            texts = [r.fields.room or "" for r in uow.cases.reports(case_id)]
            texts += [i.chat_link or "" for i in uow.cases.items(case_id)]
            links = find_links("\n".join(texts), self._patterns)
            rooms = [room_for_link(uow, link, now, principal.org_id) for link in links]
            for room in rooms:
                uow.rooms.link_case(
                    room.id, case_id, reason="named in a report", by=principal.actor, at=now
                )
            record(uow, principal, "room.from_reports", "case", case.number, rooms=len(rooms))
            return uow.rooms.get_rooms([r.id for r in rooms])


def _found(uow: UnitOfWork, room_id: int) -> Room:
    room = uow.rooms.get_room(room_id)
    if room is None:
        raise NotFound(f"room {room_id} not found")
    return room


def _visible_cases(uow: UnitOfWork, principal: Principal, room: Room) -> Room:
    visible = []
    for case_id in room.case_ids:
        case = uow.cases.get_case_by_id(case_id)
        if case is not None and case.visible_to(principal.org_id):
            visible.append(case_id)
    return Room(
        room.id, room.platform, room.external_id, room.title, room.invite_link, room.link_key,
        room.member_count, room.first_seen_at, room.last_seen_at, room.tags, tuple(visible),
        room.confirmed_items,
    )  # fmt: skip
