"""Reading and verifying the audit chain; recording events from any use case.

Use cases record inside their own unit of work (`record(uow, principal, …)`), so an action and its
audit entry commit or roll back together. `verify` walks the whole chain in pages and also checks
that its tip is the recorded head, so truncating the log is caught too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from haechi.domain.audit import GENESIS, AuditEntry, AuditRecord, ChainReport, verify_chain
from haechi.domain.tenancy import Permission, Principal
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory

_PAGE = 5000


def record(
    uow: UnitOfWork,
    principal: Principal | None,
    action: str,
    resource_type: str,
    resource_id: object,
    **detail: Any,
) -> AuditEntry:
    actor = principal.actor if principal else "public"
    org_id = principal.org_id if principal else None
    return record_as(uow, actor, org_id, action, resource_type, resource_id, **detail)


def record_as(
    uow: UnitOfWork,
    actor: str,
    org_id: int | None,
    action: str,
    resource_type: str,
    resource_id: object,
    **detail: Any,
) -> AuditEntry:
    """`record` for actors that are not yet principals (sign-in attempts, set-up by the CLI)."""
    return uow.audit.append(
        AuditRecord(
            actor=actor,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            org_id=org_id,
            detail=detail,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    next_after: int | None


class AuditService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    def page(self, principal: Principal, *, after_seq: int = 0, limit: int = 100) -> AuditPage:
        """Entries about the caller's own organisation (auditors of any tenant see only theirs)."""
        principal.require(Permission.AUDIT_READ)
        with self._uow() as uow:
            rows = uow.audit.entries(after_seq=after_seq, limit=limit)
            record(uow, principal, "audit.read", "audit", after_seq, limit=limit)
        mine = [e for e in rows if e.org_id == principal.org_id]
        return AuditPage(mine, rows[-1].seq if len(rows) == limit else None)

    def verify(self) -> ChainReport:
        tip: list[AuditEntry] = []

        def walk() -> Iterator[AuditEntry]:
            after = 0
            while True:
                with self._uow() as uow:
                    page = uow.audit.entries(after_seq=after, limit=_PAGE)
                for entry in page:
                    tip[:] = [entry]
                    yield entry
                if len(page) < _PAGE:
                    return
                after = page[-1].seq

        report = verify_chain(walk())
        if not report.ok:
            return report
        with self._uow() as uow:
            head = uow.audit.head()
        last = (tip[0].seq, tip[0].hash) if tip else (0, GENESIS)
        if last != head:
            return ChainReport(report.entries, False, head[0], "log ends before its recorded head")
        return report
