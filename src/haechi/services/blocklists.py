"""Blocklists for ISPs and platforms: entries kept by regulators, signed exports polled with ETags.

Writers (`blocklists:write`) add URLs and domains — one by one, or the invite links of a case's
rooms that spread confirmed material — and lift them with a reason; each change is audited and
bumps the list's serial. Readers (`blocklists:read`: platform and ISP tokens) fetch a format; the
body is signed with the instance's blocklist key (Ed25519, detached), and its ETag is a hash of
the body, so an unchanged list answers 304 without a body. Polls are not audited (a published
list holds no case data); writes are.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.blocklists import (
    MEDIA_TYPES,
    Entry,
    EntryKind,
    Format,
    Snapshot,
    ZoneNames,
    check_list_name,
    check_value,
    render_csv,
    render_rpz,
    render_text,
)
from haechi.domain.errors import Conflict, InvalidInput, NotFound
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_hotline import Signer
from haechi.services.ports_rooms import BlocklistInfo

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class NewEntry:
    list_name: str
    kind: EntryKind
    value: str
    reason: str
    case_id: int | None = None
    room_id: int | None = None
    effective_from: float | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    last_modified: float
    serial: int
    signature: str
    key_id: str


def _reason(text: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > MAX_REASON:
        raise InvalidInput(f"a reason of 1-{MAX_REASON} characters is required")
    return value


class BlocklistService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        signer: Signer,
        zone: str,
        ttl: int = 300,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._signer = signer
        self._zone = zone.strip(".")
        self._ttl = ttl
        self._now = now

    # -- writers ---------------------------------------------------------------------------------
    def add(self, principal: Principal, entry: NewEntry) -> Entry:
        principal.require(Permission.BLOCKLISTS_WRITE)
        name = check_list_name(entry.list_name)
        value = check_value(entry.kind, entry.value)
        reason = _reason(entry.reason)
        now = self._now()
        effective = now if entry.effective_from is None else entry.effective_from
        with self._uow() as uow:
            if uow.rooms.active_entry(name, value) is not None:
                raise Conflict(f"{value[:80]} is already on blocklist {name}")
            if entry.case_id is not None:
                case = uow.cases.get_case_by_id(entry.case_id)
                if case is None or not case.visible_to(principal.org_id):
                    raise NotFound(f"case {entry.case_id} not found")
            added = uow.rooms.add_entry(
                list_name=name,
                kind=entry.kind,
                value=value,
                reason=reason,
                case_id=entry.case_id,
                room_id=entry.room_id,
                effective_from=effective,
                by=principal.actor,
                at=now,
            )
            record(
                uow, principal, "blocklist.add", "blocklist", name, entry=added.id,
                kind=entry.kind.value, value=value, effective_from=effective,
            )  # fmt: skip
        return added

    def add_case_rooms(self, principal: Principal, list_name: str, case_id: int) -> list[Entry]:
        """Block the invite links of the case's rooms that spread confirmed material."""
        principal.require(Permission.BLOCKLISTS_WRITE)
        with self._uow() as uow:
            case = uow.cases.get_case_by_id(case_id)
            if case is None or not case.visible_to(principal.org_id):
                raise NotFound(f"case {case_id} not found")
            rooms = uow.rooms.get_rooms(uow.rooms.rooms_for_case(case_id))
        added = []
        for room in rooms:
            if room.confirmed_items == 0 or not (room.invite_link or "").startswith("http"):
                continue
            reason = f"{room.platform} room spreading confirmed material (case {case.number})"
            entry = NewEntry(
                list_name, EntryKind.URL, room.invite_link or "", reason, case_id, room.id
            )
            try:
                added.append(self.add(principal, entry))
            except Conflict:
                continue
        return added

    def remove(self, principal: Principal, entry_id: int, reason: str) -> Entry:
        principal.require(Permission.BLOCKLISTS_WRITE)
        why = _reason(reason)
        with self._uow() as uow:
            entry = uow.rooms.get_entry(entry_id)
            if entry is None:
                raise NotFound(f"blocklist entry {entry_id} not found")
            if entry.removed_at is not None:
                raise Conflict(f"blocklist entry {entry_id} was already removed")
            uow.rooms.remove_entry(entry_id, reason=why, at=self._now())
            record(uow, principal, "blocklist.remove", "blocklist", entry.list_name, entry=entry_id)
            removed = uow.rooms.get_entry(entry_id)
        assert removed is not None
        return removed

    # -- readers ---------------------------------------------------------------------------------
    def lists(self, principal: Principal) -> list[BlocklistInfo]:
        principal.require(Permission.BLOCKLISTS_READ)
        with self._uow() as uow:
            return uow.rooms.blocklists()

    def snapshot(self, principal: Principal, list_name: str) -> Snapshot:
        principal.require(Permission.BLOCKLISTS_READ)
        name = check_list_name(list_name)
        with self._uow() as uow:
            info = uow.rooms.blocklist(name)
            if info is None:
                raise NotFound(f"blocklist {name} not found")
            entries = uow.rooms.entries(name)
        return Snapshot.of(
            name, entries, changes=info.changes, changed_at=info.changed_at, now=self._now()
        )

    def entries(self, principal: Principal, list_name: str) -> list[Entry]:
        """Every entry of a list, scheduled and lifted ones included, newest first."""
        principal.require(Permission.BLOCKLISTS_READ)
        with self._uow() as uow:
            return sorted(uow.rooms.entries(check_list_name(list_name)), key=lambda e: -e.id)

    def render(self, principal: Principal, list_name: str, fmt: Format) -> Rendered:
        snap = self.snapshot(principal, list_name)
        if fmt is Format.TXT:
            text = render_text(snap)
        elif fmt is Format.CSV:
            text = render_csv(snap)
        else:
            names = ZoneNames(
                origin=f"{snap.name}.{self._zone}",
                nameserver=f"ns.{self._zone}",
                hostmaster=f"hostmaster.{self._zone}",
                ttl=self._ttl,
            )
            text = render_rpz(snap, names)
        body = text.encode()
        return Rendered(
            body=body,
            media_type=MEDIA_TYPES[fmt],
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=snap.last_modified,
            serial=snap.serial,
            signature=base64.b64encode(self._signer.sign(body)).decode(),
            key_id=self._signer.key_id,
        )

    def public_key(self) -> tuple[str, bytes]:
        """(key id, PEM) of the key that signs every export: anyone may fetch it."""
        return self._signer.key_id, self._signer.public_key_pem()
