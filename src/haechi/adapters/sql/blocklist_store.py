"""SQL storage of blocklists and their entries (mixed into the room store, `uow.rooms`).

Every add and removal bumps the list's change counter under a row lock, so concurrent writers
cannot hand out the same RPZ serial twice.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_rooms import BlocklistEntryRow, BlocklistRow
from haechi.domain.blocklists import Entry, EntryKind
from haechi.services.ports_rooms import BlocklistInfo


def _entry(row: BlocklistEntryRow, name: str) -> Entry:
    return Entry(
        id=row.id,
        list_name=name,
        kind=EntryKind(row.kind),
        value=row.value,
        reason=row.reason,
        effective_from=row.effective_from,
        created_at=row.created_at,
        case_id=row.case_id,
        room_id=row.room_id,
        removed_at=row.removed_at,
        removal_reason=row.removal_reason,
    )


class BlocklistSql:
    _session: Session

    def _list_row(self, name: str, *, lock: bool = False) -> BlocklistRow | None:
        query = select(BlocklistRow).where(BlocklistRow.name == name)
        if lock:
            query = query.with_for_update()
        return self._session.scalars(query).first()

    def _bump(self, row: BlocklistRow, at: float) -> None:
        row.changes += 1
        row.changed_at = max(row.changed_at, at)

    def _info(self, row: BlocklistRow) -> BlocklistInfo:
        counts = select(
            func.count(BlocklistEntryRow.id).filter(BlocklistEntryRow.removed_at.is_(None)),
            func.count(BlocklistEntryRow.id).filter(BlocklistEntryRow.removed_at.is_not(None)),
        ).where(BlocklistEntryRow.blocklist_id == row.id)
        active, removed = self._session.execute(counts).one()
        return BlocklistInfo(row.name, row.changes, row.changed_at, int(active), int(removed))

    def blocklist(self, name: str) -> BlocklistInfo | None:
        row = self._list_row(name)
        return None if row is None else self._info(row)

    def blocklists(self) -> list[BlocklistInfo]:
        rows = self._session.scalars(select(BlocklistRow).order_by(BlocklistRow.name))
        return [self._info(row) for row in rows]

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
        blocklist = self._list_row(list_name, lock=True)
        if blocklist is None:
            blocklist = BlocklistRow(name=list_name, changes=0, changed_at=at, created_at=at)
            self._session.add(blocklist)
            self._session.flush()
        row = BlocklistEntryRow(
            blocklist_id=blocklist.id,
            kind=kind.value,
            value=value,
            reason=reason,
            case_id=case_id,
            room_id=room_id,
            effective_from=effective_from,
            added_by=by,
            created_at=at,
        )
        self._session.add(row)
        self._bump(blocklist, at)
        self._session.flush()
        return _entry(row, list_name)

    def active_entry(self, list_name: str, value: str) -> Entry | None:
        query = (
            select(BlocklistEntryRow)
            .join(BlocklistRow, BlocklistRow.id == BlocklistEntryRow.blocklist_id)
            .where(
                BlocklistRow.name == list_name,
                BlocklistEntryRow.value == value,
                BlocklistEntryRow.removed_at.is_(None),
            )
        )
        row = self._session.scalars(query).first()
        return None if row is None else _entry(row, list_name)

    def get_entry(self, entry_id: int) -> Entry | None:
        row = self._session.get(BlocklistEntryRow, entry_id)
        if row is None:
            return None
        blocklist = self._session.get(BlocklistRow, row.blocklist_id)
        assert blocklist is not None
        return _entry(row, blocklist.name)

    def remove_entry(self, entry_id: int, *, reason: str, at: float) -> None:
        row = self._session.get(BlocklistEntryRow, entry_id)
        assert row is not None
        blocklist = self._session.get(BlocklistRow, row.blocklist_id, with_for_update=True)
        assert blocklist is not None
        row.removed_at = at
        row.removal_reason = reason
        self._bump(blocklist, at)
        self._session.flush()

    def entries(self, list_name: str) -> list[Entry]:
        query = (
            select(BlocklistEntryRow)
            .join(BlocklistRow, BlocklistRow.id == BlocklistEntryRow.blocklist_id)
            .where(BlocklistRow.name == list_name)
            .order_by(BlocklistEntryRow.id)
        )
        return [_entry(row, list_name) for row in self._session.scalars(query)]
