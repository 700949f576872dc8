"""SQL implementation of the BankStore port. Writes a change-feed row with every mutation.

The store only flushes; the unit of work owns the transaction. A change-feed row is written in the
same transaction as the change it describes, so replicas never see one without the other.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from haechi.adapters.sql.tables import (
    BankContentRow,
    BankRow,
    ChangeRow,
    ContentSignalRow,
    MatchEventRow,
)
from haechi.adapters.sql.video_store import SqlVideoStore, stored_value
from haechi.domain.banks import Bank, BankContent
from haechi.domain.errors import Conflict
from haechi.services.ports import MatchEvent, NewContent


def _bank(row: BankRow) -> Bank:
    return Bank(
        id=row.id,
        name=row.name,
        matching_enabled_ratio=row.matching_enabled_ratio,
        thresholds=dict(row.thresholds or {}),
        description=row.description,
    )


def _content(row: BankContentRow) -> BankContent:
    return BankContent(
        id=row.id,
        bank_id=row.bank_id,
        bank_name=row.bank.name,
        disable_until_ts=row.disable_until_ts,
        withdrawn=row.withdrawn_at is not None,
        original_media_uri=row.original_media_uri,
        note=row.note,
        metadata=row.user_metadata,
        signals={s.signal_type: s.value for s in row.signals},
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlBankStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _changed(self, *, bank_id: int | None = None, content_id: int | None = None) -> None:
        self._s.add(ChangeRow(at=time.time(), bank_id=bank_id, content_id=content_id))

    def list_banks(self) -> list[Bank]:
        rows = self._s.scalars(select(BankRow).order_by(BankRow.name))
        return [_bank(r) for r in rows]

    def get_bank(self, name: str) -> Bank | None:
        row = self._s.scalar(select(BankRow).where(BankRow.name == name))
        return None if row is None else _bank(row)

    def get_bank_by_id(self, bank_id: int) -> Bank | None:
        row = self._s.get(BankRow, bank_id)
        return None if row is None else _bank(row)

    def create_bank(self, bank: Bank) -> Bank:
        if self.get_bank(bank.name) is not None:
            raise Conflict("Bank already exists")
        now = time.time()
        row = BankRow(
            name=bank.name,
            matching_enabled_ratio=bank.matching_enabled_ratio,
            thresholds=dict(bank.thresholds),
            description=bank.description,
            created_at=now,
            updated_at=now,
        )
        self._s.add(row)
        self._flush_or_conflict("Bank already exists")
        self._changed(bank_id=row.id)
        return _bank(row)

    def update_bank(self, bank: Bank) -> None:
        row = self._s.get_one(BankRow, bank.id)
        if row.name != bank.name and self.get_bank(bank.name) is not None:
            raise Conflict("Bank name already exists")
        row.name = bank.name
        row.matching_enabled_ratio = bank.matching_enabled_ratio
        row.thresholds = dict(bank.thresholds)
        row.description = bank.description
        row.updated_at = time.time()
        self._flush_or_conflict("Bank name already exists")
        self._changed(bank_id=bank.id)

    def delete_bank(self, bank_id: int) -> None:
        content_ids = select(BankContentRow.id).where(BankContentRow.bank_id == bank_id)
        self._s.execute(
            delete(ContentSignalRow).where(ContentSignalRow.content_id.in_(content_ids))
        )
        SqlVideoStore(self._s).delete_for(list(self._s.scalars(content_ids)))
        self._s.execute(delete(BankContentRow).where(BankContentRow.bank_id == bank_id))
        self._s.execute(delete(BankRow).where(BankRow.id == bank_id))
        self._changed(bank_id=bank_id)

    def add_content(self, bank: Bank, item: NewContent) -> BankContent:
        now = time.time()
        row = BankContentRow(
            bank_id=bank.id,
            disable_until_ts=1,
            note=item.note,
            user_metadata=item.metadata,
            original_media_uri=item.original_media_uri,
            source=item.source,
            created_at=now,
            updated_at=now,
            signals=[
                ContentSignalRow(
                    signal_type=k, value=stored_value(v), quality=item.qualities.get(k)
                )
                for k, v in item.signals.items()
            ],
        )
        self._s.add(row)
        self._s.flush()
        SqlVideoStore(self._s).save_long(row.id, item.signals)  # vPDQ: too long for the column
        self._changed(content_id=row.id)
        self._s.refresh(row, ["bank"])
        return SqlVideoStore(self._s).fill_long_values([_content(row)])[0]

    def get_contents(self, ids: Sequence[int]) -> list[BankContent]:
        if not ids:
            return []
        stmt = (
            select(BankContentRow)
            .where(BankContentRow.id.in_(list(ids)))
            .options(selectinload(BankContentRow.signals), selectinload(BankContentRow.bank))
            .order_by(BankContentRow.id)
        )
        return SqlVideoStore(self._s).fill_long_values([_content(r) for r in self._s.scalars(stmt)])

    def update_content(self, content: BankContent) -> None:
        row = self._s.get_one(BankContentRow, content.id)
        row.disable_until_ts = content.disable_until_ts
        row.note = content.note
        row.user_metadata = content.metadata
        if content.withdrawn and row.withdrawn_at is None:
            row.withdrawn_at = time.time()
        row.updated_at = time.time()
        self._changed(content_id=content.id)

    def delete_content(self, content_id: int) -> int:
        self._s.execute(delete(ContentSignalRow).where(ContentSignalRow.content_id == content_id))
        SqlVideoStore(self._s).delete_for([content_id])
        result = self._s.execute(delete(BankContentRow).where(BankContentRow.id == content_id))
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            self._changed(content_id=content_id)
        return count

    def page_content(
        self, *, bank_id: int | None, after_id: int, limit: int, include_withdrawn: bool
    ) -> list[BankContent]:
        stmt = (
            select(BankContentRow)
            .where(BankContentRow.id > after_id)
            .options(selectinload(BankContentRow.signals), selectinload(BankContentRow.bank))
            .order_by(BankContentRow.id)
            .limit(limit)
        )
        if bank_id is not None:
            stmt = stmt.where(BankContentRow.bank_id == bank_id)
        if not include_withdrawn:
            stmt = stmt.where(BankContentRow.withdrawn_at.is_(None))
        return SqlVideoStore(self._s).fill_long_values([_content(r) for r in self._s.scalars(stmt)])

    def count_content(self, bank_id: int) -> int:
        stmt = select(func.count()).where(BankContentRow.bank_id == bank_id)
        return int(self._s.scalar(stmt) or 0)

    def existing_signals(self, bank_id: int) -> set[tuple[str, str]]:
        stmt = (
            select(ContentSignalRow.signal_type, ContentSignalRow.value)
            .join(BankContentRow, BankContentRow.id == ContentSignalRow.content_id)
            .where(BankContentRow.bank_id == bank_id)
        )
        return {(str(a), str(b)) for a, b in self._s.execute(stmt).all()}

    def count_signals(self) -> dict[str, int]:
        stmt = select(ContentSignalRow.signal_type, func.count()).group_by(
            ContentSignalRow.signal_type
        )
        return {str(k): int(v) for k, v in self._s.execute(stmt).all()}

    def latest_seq(self) -> int:
        return int(self._s.scalar(select(func.max(ChangeRow.seq))) or 0)

    def changes_since(self, seq: int, limit: int) -> list[tuple[int, int | None, int | None]]:
        stmt = (
            select(ChangeRow.seq, ChangeRow.bank_id, ChangeRow.content_id)
            .where(ChangeRow.seq > seq)
            .order_by(ChangeRow.seq)
            .limit(limit)
        )
        return [(int(a), b, c) for a, b, c in self._s.execute(stmt).all()]

    def changes_at(self, seqs: Sequence[int]) -> list[tuple[int, int | None, int | None]]:
        if not seqs:
            return []
        stmt = (
            select(ChangeRow.seq, ChangeRow.bank_id, ChangeRow.content_id)
            .where(ChangeRow.seq.in_(list(seqs)))
            .order_by(ChangeRow.seq)
        )
        return [(int(a), b, c) for a, b, c in self._s.execute(stmt).all()]

    def add_match_events(self, events: Sequence[MatchEvent]) -> None:
        self._s.add_all(
            MatchEventRow(
                at=e.at,
                requester=e.requester,
                route=e.route,
                signal_type=e.signal_type,
                query_value=e.query_value,
                content_id=e.content_id,
                bank_name=e.bank_name,
                distance=e.distance,
                transform=e.transform,
            )
            for e in events
        )

    def recent_match_events(self, *, limit: int, bank: str | None) -> list[MatchEvent]:
        stmt = select(MatchEventRow).order_by(MatchEventRow.id.desc()).limit(limit)
        if bank is not None:
            stmt = stmt.where(MatchEventRow.bank_name == bank)
        return [
            MatchEvent(
                at=r.at,
                requester=r.requester,
                route=r.route,
                signal_type=r.signal_type,
                query_value=r.query_value,
                content_id=r.content_id,
                bank_name=r.bank_name,
                distance=r.distance,
                transform=r.transform,
            )
            for r in self._s.scalars(stmt)
        ]

    def matching_callers(self, content_ids: Sequence[int], *, exclude_route: str) -> dict[int, int]:
        """Per content id: how many distinct named callers had a look-up match it."""
        stmt = (
            select(MatchEventRow.content_id, func.count(func.distinct(MatchEventRow.requester)))
            .where(MatchEventRow.content_id.in_(list(content_ids)))
            .where(MatchEventRow.requester.is_not(None))
            .where(MatchEventRow.route != exclude_route)
            .group_by(MatchEventRow.content_id)
        )
        return {int(c): int(n) for c, n in self._s.execute(stmt).all()}

    def _flush_or_conflict(self, message: str) -> None:
        try:
            self._s.flush()
        except IntegrityError:
            raise Conflict(message) from None
