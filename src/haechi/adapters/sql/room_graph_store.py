"""Graph reads over rooms (posted items, shared accounts, migrations) and case links and alerts.

An item's key prefers the bank content it matched (directly, or through the case item that was
later banked), then the case item, then the hash itself, so two posts of the same picture in
different rooms meet on one key. An item is *confirmed* when its bank content is not withdrawn or
its case item was decided illegal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from haechi.adapters.sql.tables import BankContentRow
from haechi.adapters.sql.tables_cases import CaseItemRow, CaseItemSignalRow
from haechi.adapters.sql.tables_rooms import (
    RoomAlertRow,
    RoomCaseRow,
    RoomMigrationRow,
    RoomPostItemRow,
    RoomPostRow,
    RoomRow,
)
from haechi.domain.cases import ItemStatus
from haechi.domain.room_graph import PostFact
from haechi.domain.rooms import Migration, RoomAlert
from haechi.services.ports_rooms import CaseItemRef

_From = aliased(RoomRow)
_To = aliased(RoomRow)


def _key(content_id: int | None, item_id: int | None, signal_type: str, value: str) -> str:
    if content_id is not None:
        return f"content:{content_id}"
    if item_id is not None:
        return f"item:{item_id}"
    return f"{signal_type}:{value}"


def _migration(row: RoomMigrationRow) -> Migration:
    return Migration(row.id, row.from_room_id, row.to_room_id, row.link, row.seen_at, row.post_id)


class RoomGraphSql:
    _session: Session

    def post_facts(self, room_ids: Sequence[int] | None) -> list[PostFact]:
        content = func.coalesce(RoomPostItemRow.bank_content_id, CaseItemRow.bank_content_id)
        query = (
            select(
                RoomPostRow.room_id,
                RoomPostRow.id,
                RoomPostRow.account_id,
                RoomPostRow.posted_at,
                RoomPostItemRow.signal_type,
                RoomPostItemRow.value,
                content,
                RoomPostItemRow.case_item_id,
                CaseItemRow.status,
                BankContentRow.id,
                BankContentRow.withdrawn_at,
            )
            .join(RoomPostItemRow, RoomPostItemRow.post_id == RoomPostRow.id)
            .outerjoin(CaseItemRow, CaseItemRow.id == RoomPostItemRow.case_item_id)
            .outerjoin(BankContentRow, BankContentRow.id == content)
            .order_by(RoomPostRow.posted_at, RoomPostRow.id)
        )
        if room_ids is not None:
            query = query.where(RoomPostRow.room_id.in_(list(room_ids)))
        return [_fact(tuple(row)) for row in self._session.execute(query)]

    def confirmed_counts(self, room_ids: Sequence[int]) -> dict[int, int]:
        if not room_ids:
            return {}
        keys: dict[int, set[str]] = {}
        for fact in self.post_facts(room_ids):
            if fact.confirmed:
                keys.setdefault(fact.room_id, set()).add(fact.item_key)
        return {room: len(found) for room, found in keys.items()}

    def room_accounts(self, room_ids: Sequence[int] | None) -> list[tuple[int, int]]:
        query = (
            select(RoomPostRow.room_id, RoomPostRow.account_id)
            .where(RoomPostRow.account_id.is_not(None))
            .distinct()
        )
        if room_ids is not None:
            query = query.where(RoomPostRow.room_id.in_(list(room_ids)))
        rows = self._session.execute(query)
        return [(room, account) for room, account in rows if account is not None]

    def neighbours(self, room_ids: Sequence[int]) -> set[int]:
        ids = list(room_ids)
        if not ids:
            return set()
        accounts = select(RoomPostRow.account_id).where(
            RoomPostRow.room_id.in_(ids), RoomPostRow.account_id.is_not(None)
        )
        found = set(
            self._session.scalars(
                select(RoomPostRow.room_id).where(RoomPostRow.account_id.in_(accounts)).distinct()
            )
        )
        facts = self.post_facts(ids)
        contents = {int(f.item_key[8:]) for f in facts if f.item_key.startswith("content:")}
        values = {
            f.item_key.partition(":")[2]
            for f in facts
            if not f.item_key.startswith(("content:", "item:"))
        }
        items = {int(f.item_key[5:]) for f in facts if f.item_key.startswith("item:")}
        shared = (
            select(RoomPostRow.room_id)
            .join(RoomPostItemRow, RoomPostItemRow.post_id == RoomPostRow.id)
            .where(
                or_(
                    RoomPostItemRow.bank_content_id.in_(contents),
                    RoomPostItemRow.case_item_id.in_(items),
                    RoomPostItemRow.value.in_(values),
                )
            )
            .distinct()
        )
        found |= set(self._session.scalars(shared))
        for m in self.migrations(ids):
            found |= {m.from_room_id, m.to_room_id}
        return found - set(ids)

    def case_items_for(
        self, *, signals: Sequence[tuple[str, str]], content_ids: Sequence[int]
    ) -> list[CaseItemRef]:
        found: list[CaseItemRef] = []
        if signals:
            match = or_(
                *(
                    and_(CaseItemSignalRow.signal_type == t, CaseItemSignalRow.value == v)
                    for t, v in signals
                )
            )
            query = (
                select(
                    CaseItemRow.case_id,
                    CaseItemRow.id,
                    CaseItemRow.bank_content_id,
                    CaseItemSignalRow.signal_type,
                    CaseItemSignalRow.value,
                )
                .join(CaseItemSignalRow, CaseItemSignalRow.item_id == CaseItemRow.id)
                .where(match)
            )
            found += [CaseItemRef(*row) for row in self._session.execute(query)]
        if content_ids:
            query2 = select(CaseItemRow.case_id, CaseItemRow.id, CaseItemRow.bank_content_id).where(
                CaseItemRow.bank_content_id.in_(list(content_ids))
            )
            found += [CaseItemRef(*row) for row in self._session.execute(query2)]
        return found

    # -- case links, migrations, alerts ------------------------------------------------------
    def link_case(self, room_id: int, case_id: int, *, reason: str, by: str, at: float) -> bool:
        query = select(RoomCaseRow.id).where(
            RoomCaseRow.room_id == room_id, RoomCaseRow.case_id == case_id
        )
        if self._session.scalars(query).first() is not None:
            return False
        self._session.add(
            RoomCaseRow(room_id=room_id, case_id=case_id, reason=reason, linked_by=by, linked_at=at)
        )
        self._session.flush()
        return True

    def rooms_for_case(self, case_id: int) -> list[int]:
        query = select(RoomCaseRow.room_id).where(RoomCaseRow.case_id == case_id)
        return sorted(self._session.scalars(query))

    def add_migration(
        self, *, from_room_id: int, to_room_id: int, post_id: int | None, link: str, at: float
    ) -> Migration | None:
        query = select(RoomMigrationRow.id).where(
            RoomMigrationRow.from_room_id == from_room_id,
            RoomMigrationRow.to_room_id == to_room_id,
        )
        if self._session.scalars(query).first() is not None:
            return None
        row = RoomMigrationRow(
            from_room_id=from_room_id, to_room_id=to_room_id, post_id=post_id, link=link, seen_at=at
        )
        self._session.add(row)
        self._session.flush()
        return _migration(row)

    def migrations(self, room_ids: Sequence[int] | None) -> list[Migration]:
        query = select(RoomMigrationRow).order_by(RoomMigrationRow.seen_at, RoomMigrationRow.id)
        if room_ids is not None:
            ids = list(room_ids)
            query = query.where(
                or_(RoomMigrationRow.from_room_id.in_(ids), RoomMigrationRow.to_room_id.in_(ids))
            )
        return [_migration(row) for row in self._session.scalars(query)]

    def add_alert(self, *, case_id: int, org_id: int, migration_id: int, at: float) -> int:
        row = RoomAlertRow(case_id=case_id, org_id=org_id, migration_id=migration_id, created_at=at)
        self._session.add(row)
        self._session.flush()
        return row.id

    def alerts_for_case(self, case_id: int) -> list[RoomAlert]:
        query = (
            select(RoomAlertRow, RoomMigrationRow, _From.title, _To.title, _To.platform)
            .join(RoomMigrationRow, RoomMigrationRow.id == RoomAlertRow.migration_id)
            .join(_From, _From.id == RoomMigrationRow.from_room_id)
            .join(_To, _To.id == RoomMigrationRow.to_room_id)
            .where(RoomAlertRow.case_id == case_id)
            .order_by(RoomAlertRow.created_at, RoomAlertRow.id)
        )
        return [
            RoomAlert(
                alert.id,
                alert.case_id,
                alert.org_id,
                _migration(migration),
                alert.created_at,
                from_title,
                to_title,
                to_platform,
            )
            for alert, migration, from_title, to_title, to_platform in self._session.execute(query)
        ]


def _fact(row: tuple[Any, ...]) -> PostFact:
    room, post, account, at, signal_type, value, content, item, status, bank_id, withdrawn = row
    banked = bank_id is not None and withdrawn is None
    return PostFact(
        room_id=int(room),
        post_id=int(post),
        account_id=None if account is None else int(account),
        posted_at=float(at),
        item_key=_key(
            None if content is None else int(content),
            None if item is None else int(item),
            str(signal_type),
            str(value),
        ),
        confirmed=banked or status == ItemStatus.CONFIRMED_ILLEGAL.value,
    )
