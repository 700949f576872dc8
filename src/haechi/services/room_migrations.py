"""Migration detection: links in a room that point its members to another room.

Each link found in a post or the room's description becomes a `room_migration` from this room to
the room the link names (created as a link-only room when haechi has not seen it). When the source
room is flagged — tied to a case, or known to have spread confirmed material — a *new* migration
is an alert: for every case the room is tied to, the target room is tied to the case too (so the
next hop is followed), an alert row is written for the case owner (shown on the case and in the
room graph), a `room.migration` webhook is queued to the owner, and the whole is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haechi.domain.rooms import Migration, Room, RoomLink, link_only_id, migration_targets
from haechi.domain.webhooks import Event
from haechi.services.audit import record_as
from haechi.services.ports import UnitOfWork
from haechi.services.webhooks import enqueue


@dataclass(frozen=True, slots=True)
class Found:
    """A link seen in the room at `at` (in post `post_id`, or in the description when None)."""

    link: RoomLink
    at: float
    post_id: int | None = None


def room_for_link(uow: UnitOfWork, link: RoomLink, at: float, source_org: int | None) -> Room:
    """The room a link names: known by its invite link, or new and known only by the link."""
    room = uow.rooms.find_room_by_link(link.link_key) or uow.rooms.find_room(
        link.platform, link_only_id(link)
    )
    if room is not None:
        return room
    return uow.rooms.add_room(
        platform=link.platform,
        external_id=link_only_id(link),
        title=f"{link.platform} room …{link.key[-6:]} (from a link)",
        invite_link=link.url,
        link_key=link.link_key,
        at=at,
        source_org_id=source_org,
    )


def detect(
    uow: UnitOfWork, room: Room, found: list[Found], *, actor: str, now: float
) -> list[dict[str, Any]]:
    """Record migrations for `found`; alert case owners when `room` is flagged. Returns alerts."""
    targets = {f.link.link_key: f for f in found}
    kept = migration_targets(room, [f.link for f in targets.values()])
    alerts: list[dict[str, Any]] = []
    current = uow.rooms.get_room(room.id) or room
    for link in kept:
        seen = targets[link.link_key]
        target = room_for_link(uow, link, seen.at, None)
        if target.id == room.id:
            continue
        migration = uow.rooms.add_migration(
            from_room_id=room.id,
            to_room_id=target.id,
            post_id=seen.post_id,
            link=link.url,
            at=seen.at,
        )
        if migration is None or not current.flagged:
            continue
        alerts += _alert(uow, current, target, migration, actor=actor, now=now)
    return alerts


def _alert(
    uow: UnitOfWork, room: Room, target: Room, migration: Migration, *, actor: str, now: float
) -> list[dict[str, Any]]:
    out = []
    for case_id in room.case_ids:
        case = uow.cases.get_case_by_id(case_id)
        if case is None:
            continue
        uow.rooms.link_case(
            target.id,
            case_id,
            reason=f"migration from room {room.id}",
            by=actor,
            at=migration.seen_at,
        )
        alert_id = uow.rooms.add_alert(
            case_id=case_id, org_id=case.owner_org_id, migration_id=migration.id, at=now
        )
        data = {
            "alert_id": alert_id,
            "case_id": case_id,
            "case_number": case.number,
            "from_room": {"id": room.id, "platform": room.platform, "title": room.title},
            "to_room": {"id": target.id, "platform": target.platform, "title": target.title},
            "link": migration.link,
            "seen_at": migration.seen_at,
            "cross_app": target.platform != room.platform,
            "url": f"/api/v1/cases/{case_id}/room-graph",
        }
        enqueue(uow, org_id=case.owner_org_id, event=Event.ROOM_MIGRATION, data=data, at=now)
        record_as(
            uow, actor, case.owner_org_id, "room.migration_alert", "case", case.number,
            from_room=room.id, to_room=target.id, migration=migration.id,
        )  # fmt: skip
        out.append(data)
    return out
