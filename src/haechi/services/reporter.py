"""What a reporter can do with a case number and PIN alone: check status, and withdraw.

The PIN is checked against the scrypt hashes of the case's reports; an unknown case costs the same
scrypt work as a wrong PIN and gets the same answer, so neither timing nor wording says whether a
case exists. Five wrong PINs for a case number within 15 minutes lock it for the rest of that
window (per process).

Withdrawal withdraws the report and its items and deletes its uploaded media. When the reporter is
the victim, bank content created from her items is withdrawn too, so it stops matching at once
(the matcher refreshes after the commit), and face enrolments made for her in that case end, their
templates deleted. A public reporter's withdrawal leaves a regulator's confirmed content in the
bank: the determination was the regulator's, not the reporter's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from haechi.domain.audit import AuditRecord
from haechi.domain.cases import (
    Case,
    CaseItem,
    ItemStatus,
    Report,
    ReportStatus,
    case_status_for,
    check_pin_format,
    parse_case_number,
)
from haechi.domain.credentials import hash_password, verify_password
from haechi.domain.errors import NotFound, RateLimited
from haechi.domain.reports import ReporterKind
from haechi.services.banks import BankService
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.reporter_progress import PictureProgress, progress

MAX_PIN_FAILURES = 5
PIN_WINDOW_S = 15 * 60
_TRACKED = 10_000


@dataclass(frozen=True, slots=True)
class PublicStatus:
    """What a reporter sees: no other reporter's data, no bank or platform names (counts only)."""

    case_number: str
    report_status: ReportStatus
    submitted_at: float
    #: per item of this report, in the order given
    items: list[ItemStatus]
    #: the receiving organisation's time zone, for showing times
    timezone: str = "UTC"
    #: per item, in the same order: reviewed, hashes active, matches on N platforms, removed
    pictures: list[PictureProgress] = field(default_factory=list)


class PinAttempts:
    """Wrong-PIN counting per case number (in memory; a lock, not a record)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, number: str, now: float) -> None:
        with self._lock:
            recent = self._failures.get(number)
            while recent and recent[0] < now - PIN_WINDOW_S:
                recent.popleft()
            if recent is not None and len(recent) >= MAX_PIN_FAILURES:
                raise RateLimited("too many wrong PINs for this case number; try again later")

    def fail(self, number: str, now: float) -> None:
        with self._lock:
            if len(self._failures) >= _TRACKED and number not in self._failures:
                self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(number, deque()).append(now)


@cache
def _decoy_hash() -> str:
    return hash_password("decoy PIN for unknown case numbers")


class ReporterService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        banks: BankService,
        blobs: BlobStore,
        on_victim_withdraw: Callable[[UnitOfWork, int], object] | None = None,
    ) -> None:
        """`on_victim_withdraw(uow, case_id)` runs in the withdrawal's transaction when the
        victim withdraws (it ends her face enrolments scoped to the case)."""
        self._uow = uow_factory
        self._banks = banks
        self._blobs = blobs
        self._attempts = PinAttempts()
        self._on_victim_withdraw = on_victim_withdraw

    def status(self, case_number: object, pin: object) -> PublicStatus:
        with self._uow() as uow:
            case, report = self._find(uow, case_number, pin)
            items = [i for i in uow.cases.items(case.id) if i.report_id == report.id]
            return _public(uow, case, report, items)

    def withdraw(self, case_number: object, pin: object) -> PublicStatus:
        now = time.time()
        with self._uow() as uow:
            case, report = self._find(uow, case_number, pin)
            items = uow.cases.items(case.id)
            mine = [i for i in items if i.report_id == report.id]
            if report.status is ReportStatus.WITHDRAWN:
                return _public(uow, case, report, mine)
            uow.cases.set_report_status(report.id, ReportStatus.WITHDRAWN, now=now)
            report = replace(report, status=ReportStatus.WITHDRAWN)
            freed, banked = self._withdraw_items(uow, mine)
            pulled, victim = 0, report.fields.reporter_kind is ReporterKind.VICTIM
            if victim and banked:
                pulled = self._banks.withdraw_in(uow, banked)
            if victim and self._on_victim_withdraw is not None:
                self._on_victim_withdraw(uow, case.id)
            statuses = [
                ItemStatus.WITHDRAWN if i.report_id == report.id else i.status for i in items
            ]
            uow.cases.update_case(replace(case, status=case_status_for(statuses), updated_at=now))
            detail = {"report": report.id, "items": len(mine), "bank_content_withdrawn": pulled}
            uow.audit.append(_record(case, "report.withdraw", detail))
            unused = [k for k in freed if uow.cases.media_references(k) == 0]
            withdrawn = [replace(i, status=ItemStatus.WITHDRAWN) for i in mine]
            public = _public(uow, case, report, withdrawn)
        if pulled:
            self._banks.changed()
        for key in unused:
            self._blobs.delete(key)
        return public

    def _withdraw_items(self, uow: UnitOfWork, items: list[CaseItem]) -> tuple[set[str], list[int]]:
        freed: set[str] = set()
        banked: list[int] = []
        for item in items:
            if item.media_key:
                freed.add(item.media_key)
            if item.bank_content_id is not None:
                banked.append(item.bank_content_id)
            uow.cases.update_item(
                replace(item, status=ItemStatus.WITHDRAWN, media_key=None, media_type=None)
            )
        return freed, banked

    def _find(self, uow: UnitOfWork, case_number: object, pin: object) -> tuple[Case, Report]:
        number = parse_case_number(case_number)
        code = check_pin_format(pin)
        now = time.time()
        self._attempts.check(number, now)
        case = uow.cases.get_case(number)
        reports = uow.cases.reports(case.id) if case is not None else []
        hashes = [r for r in reports if r.pin_hash]
        if not hashes:
            verify_password(code, _decoy_hash())
        for report in hashes:
            if verify_password(code, report.pin_hash or ""):
                assert case is not None
                return case, report
        self._attempts.fail(number, now)
        raise NotFound("no report matches this case number and PIN")


def _public(uow: UnitOfWork, case: Case, report: Report, items: list[CaseItem]) -> PublicStatus:
    return PublicStatus(
        case_number=case.number,
        report_status=report.status,
        submitted_at=report.created_at,
        items=[i.status for i in items],
        timezone=_zone(uow, case),
        pictures=progress(uow, case, items, now=time.time()),
    )


def _zone(uow: UnitOfWork, case: Case) -> str:
    org = uow.tenancy.get_org(case.owner_org_id)
    return org.timezone if org else "UTC"


def _record(case: Case, action: str, detail: Mapping[str, object]) -> AuditRecord:
    return AuditRecord(
        actor="reporter",
        action=action,
        resource_type="case",
        resource_id=case.number,
        org_id=case.owner_org_id,
        detail=dict(detail),
    )
