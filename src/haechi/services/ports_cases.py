"""Ports for cases: the case store (inside a unit of work) and the blob store for uploaded media.

Kept apart from `ports` only to keep each module short; `ports.UnitOfWork.cases` is a `CaseStore`.
"""

from __future__ import annotations

from typing import Protocol

from haechi.domain.cases import (
    Case,
    CaseItem,
    CaseSummary,
    Priority,
    Report,
    ReportStatus,
)
from haechi.domain.decisions import Decision
from haechi.domain.reports import ReportFields


class CaseStore(Protocol):
    """Cases, their reports, items and decisions. Never commits: the unit of work does."""

    def create_case(self, *, owner_org_id: int, priority: Priority, now: float) -> Case: ...
    def get_case(self, number: str) -> Case | None: ...
    def get_case_by_id(self, case_id: int) -> Case | None: ...
    def update_case(self, case: Case) -> None:
        """Store status, priority and sharing; `updated_at` is set by the caller."""

    def queue(self, *, org_id: int, limit: int, include_closed: bool) -> list[CaseSummary]:
        """Cases the organisation owns or that are shared with it, in triage order."""

    def add_report(
        self,
        case_id: int,
        fields: ReportFields,
        *,
        pin_hash: str | None,
        submitted_by: int | None,
        now: float,
    ) -> Report: ...
    def reports(self, case_id: int) -> list[Report]: ...
    def set_report_status(self, report_id: int, status: ReportStatus, *, now: float) -> None: ...
    def add_item(self, item: CaseItem) -> CaseItem:
        """Insert (the given id is ignored) and index the item's signals for dedup."""

    def items(self, case_id: int) -> list[CaseItem]: ...
    def update_item(self, item: CaseItem) -> None:
        """Store status, media key, bank content id and match evidence."""

    def open_cases_with(self, *, owner_org_id: int, signal_type: str, value: str) -> list[int]:
        """Ids of the owner's active cases holding an item with exactly this signal."""

    def open_signals(self, *, owner_org_id: int, signal_type: str) -> list[tuple[int, str]]:
        """(case id, value) of every signal of this type in the owner's active cases."""

    def media_references(self, media_key: str) -> int: ...
    def add_decision(self, decision: Decision) -> Decision: ...
    def decisions(self, case_id: int) -> list[Decision]: ...


class BlobStore(Protocol):
    """Uploaded media, addressed by SHA-256. Not transactional: callers clean up on failure."""

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store `data`; returns (key, whether it was new)."""

    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


__all__ = ["BlobStore", "CaseStore"]
