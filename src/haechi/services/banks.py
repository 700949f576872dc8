"""Bank curation use cases: banks, their content, per-item disable and withdrawal.

Every write commits through a unit of work and then refreshes the local matcher, so the change is
matchable in this process at once and in other replicas at their next change-feed poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from haechi.domain.banks import (
    Bank,
    BankContent,
    validate_bank_name,
    validate_note,
    validate_ratio,
)
from haechi.domain.errors import InvalidInput, InvalidSignal, NotFound
from haechi.domain.signals import SignalRegistry
from haechi.services.ports import NewContent, UnitOfWork, UnitOfWorkFactory

FIVE_YEARS_S = 5 * 365 * 24 * 3600
MAX_PAGE = 1000


class WriteGate(Protocol):
    """Flood control of new hashes per writer, asked inside the writing transaction."""

    def admit_in(self, uow: UnitOfWork, source: str | None) -> bool: ...
    def hold_in(self, uow: UnitOfWork, contents: Sequence[BankContent], source: str) -> None: ...


@dataclass(frozen=True, slots=True)
class BankChanges:
    name: str | None = None
    matching_enabled_ratio: float | None = None
    thresholds: dict[str, int] | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ContentPage:
    items: list[BankContent]
    next_after: int | None
    total: int


class BankService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        registry: SignalRegistry,
        on_change: Callable[[], object],
        gate: WriteGate | None = None,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._on_change = on_change
        self._gate = gate

    # -- banks ----------------------------------------------------------------------------------
    def list_banks(self) -> list[Bank]:
        with self._uow() as uow:
            return uow.banks.list_banks()

    def get_bank(self, name: str) -> Bank:
        with self._uow() as uow:
            bank = uow.banks.get_bank(name)
        if bank is None:
            raise NotFound(f"bank '{name}' not found")
        return bank

    def create_bank(
        self,
        name: str,
        *,
        matching_enabled_ratio: float = 1.0,
        thresholds: dict[str, int] | None = None,
        description: str | None = None,
    ) -> Bank:
        bank = Bank(
            id=0,
            name=validate_bank_name(name),
            matching_enabled_ratio=validate_ratio(matching_enabled_ratio),
            thresholds=self._validate_thresholds(thresholds or {}),
            description=description,
        )
        with self._uow() as uow:
            created = uow.banks.create_bank(bank)
        self._on_change()
        return created

    def update_bank(self, name: str, changes: BankChanges) -> Bank:
        with self._uow() as uow:
            bank = uow.banks.get_bank(name)
            if bank is None:
                raise NotFound("Bank not found")
            if changes.name is not None:
                bank.name = validate_bank_name(changes.name)
            if changes.matching_enabled_ratio is not None:
                bank.matching_enabled_ratio = validate_ratio(changes.matching_enabled_ratio)
            if changes.thresholds is not None:
                bank.thresholds = self._validate_thresholds(changes.thresholds)
            if changes.description is not None:
                bank.description = changes.description
            uow.banks.update_bank(bank)
        self._on_change()
        return bank

    def delete_bank(self, name: str) -> bool:
        with self._uow() as uow:
            bank = uow.banks.get_bank(name)
            if bank is None:
                return False
            uow.banks.delete_bank(bank.id)
        self._on_change()
        return True

    def _validate_thresholds(self, thresholds: dict[str, int]) -> dict[str, int]:
        clean: dict[str, int] = {}
        for name, value in thresholds.items():
            st = self._registry.signal_type(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"threshold for {name} must be an integer")
            if not 0 <= value <= st.max_threshold:
                raise InvalidInput(f"threshold for {name} must be between 0 and {st.max_threshold}")
            clean[name] = value
        return clean

    # -- content --------------------------------------------------------------------------------
    def signal_names(self) -> list[str]:
        return list(self._registry.signal_types)

    def validate_signals(self, raw: dict[str, Any]) -> dict[str, str]:
        if not raw:
            raise InvalidInput("No signals given")
        clean: dict[str, str] = {}
        for name, value in raw.items():
            if name not in self._registry.signal_types:
                raise InvalidInput(f"No such signal type {name}")
            try:
                clean[name] = self._registry.signal_type(name).validate(value)
            except InvalidSignal as e:
                raise InvalidSignal(f"Invalid {name} signal: {e.message}") from None
        return clean

    def add_content(self, bank_name: str, item: NewContent) -> BankContent:
        with self._uow() as uow:
            content = self.add_content_in(uow, bank_name, item)
        self._on_change()
        return content

    def add_content_in(self, uow: UnitOfWork, bank_name: str, item: NewContent) -> BankContent:
        """Add content inside the caller's transaction (e.g. with the decision that confirmed
        it); the caller calls `changed()` after committing."""
        signals = self.validate_signals(dict(item.signals))
        note = validate_note(item.note)
        bank = uow.banks.get_bank(bank_name)
        if bank is None:
            raise NotFound(f"bank '{bank_name}' not found")
        content = uow.banks.add_content(
            bank,
            NewContent(
                signals=signals,
                qualities=item.qualities,
                note=note,
                metadata=item.metadata,
                original_media_uri=item.original_media_uri,
                source=item.source,
            ),
        )
        self.gate_in(uow, [content], item.source)
        return content

    def gate_in(self, uow: UnitOfWork, contents: list[BankContent], source: str | None) -> None:
        """Hold whichever of these new items go over their writer's flood limit (disabled until
        reviewed; see services/federation_flood.py). Without a gate, nothing is held."""
        if self._gate is None or source is None or not contents:
            return
        held = [c for c in contents if not self._gate.admit_in(uow, source)]
        if held:
            self._gate.hold_in(uow, held, source)

    def withdraw_in(self, uow: UnitOfWork, content_ids: list[int]) -> int:
        """Withdraw content inside the caller's transaction; returns how many were withdrawn."""
        withdrawn = 0
        for content in uow.banks.get_contents(content_ids):
            if not content.withdrawn:
                content.withdrawn = True
                uow.banks.update_content(content)
                withdrawn += 1
        return withdrawn

    def changed(self) -> None:
        """Refresh the local matcher after a transaction that used `*_in` methods committed."""
        self._on_change()

    def get_content(self, bank_name: str, content_id: int) -> BankContent:
        with self._uow() as uow:
            content = _content_in_bank(uow, bank_name, content_id)
        if content is None:
            raise NotFound(f"content '{content_id}' not found")
        return content

    def update_content(
        self,
        bank_name: str,
        content_id: int,
        *,
        disable_until_ts: int | None = None,
        note: object = ...,
        withdraw: bool = False,
    ) -> BankContent:
        content = self.get_content(bank_name, content_id)
        if disable_until_ts is not None:
            if disable_until_ts < 0:
                raise InvalidInput("disable_until_ts must be a non-negative integer")
            if disable_until_ts > time.time() + FIVE_YEARS_S:
                raise InvalidInput("disable_until_ts must be less than 5 years in the future")
            content.disable_until_ts = disable_until_ts
        if note is not ...:
            content.note = validate_note(note)
        if withdraw:
            content.withdrawn = True
        with self._uow() as uow:
            uow.banks.update_content(content)
        self._on_change()
        return content

    def delete_content(self, bank_name: str, content_id: int) -> int:
        with self._uow() as uow:
            if _content_in_bank(uow, bank_name, content_id) is None:
                return 0
            count = uow.banks.delete_content(content_id)
        self._on_change()
        return count

    def page_content(
        self,
        bank_name: str,
        *,
        after_id: int = 0,
        limit: int = 100,
        include_withdrawn: bool = False,
    ) -> ContentPage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
        with self._uow() as uow:
            bank = uow.banks.get_bank(bank_name)
            if bank is None:
                raise NotFound(f"bank '{bank_name}' not found")
            items = uow.banks.page_content(
                bank_id=bank.id,
                after_id=after_id,
                limit=limit,
                include_withdrawn=include_withdrawn,
            )
            total = uow.banks.count_content(bank.id)
        next_after = items[-1].id if len(items) == limit else None
        return ContentPage(items=items, next_after=next_after, total=total)


def _content_in_bank(uow: UnitOfWork, bank_name: str, content_id: int) -> BankContent | None:
    """The item, if it belongs to the bank; NotFound for an unknown bank."""
    bank = uow.banks.get_bank(bank_name)
    if bank is None:
        raise NotFound(f"bank '{bank_name}' not found")
    found = uow.banks.get_contents([content_id])
    return found[0] if found and found[0].bank_id == bank.id else None
