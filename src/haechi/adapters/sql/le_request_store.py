"""SQL storage of law-enforcement requests, answers and police domains (never commits).

Tenancy is in the queries: a police organisation lists what it submitted, a platform only verified
requests addressed to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from haechi.adapters.sql.le_request_rows import OPEN, Platform, Police, request_of, row_of
from haechi.adapters.sql.tables_le_requests import LeRequestRow, LeResponseRow, PoliceDomainRow
from haechi.domain.le_requests import RENEWAL_REMINDER_S, Preservation, Status, Verification
from haechi.domain.le_responses import LeRequest, ResponseDraft
from haechi.services.ports_le import NewLeRequest


class SqlLeRequestStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _select(self) -> Select[LeRequestRow, str, str]:
        return (
            select(LeRequestRow, Police.name, Platform.name)
            .join(Police, Police.id == LeRequestRow.police_org_id)
            .join(Platform, Platform.id == LeRequestRow.platform_org_id)
            .options(selectinload(LeRequestRow.responses))
        )

    def _all(self, stmt: Select[LeRequestRow, str, str]) -> list[LeRequest]:
        return [request_of(*found) for found in self._s.execute(stmt)]

    def _row_of(self, request_id: int) -> LeRequestRow:
        row = self._s.get(LeRequestRow, request_id)
        assert row is not None
        return row

    def add(self, new: NewLeRequest) -> LeRequest:
        row = row_of(new)
        self._s.add(row)
        self._s.flush()
        found = self.get(row.id)
        assert found is not None
        return found

    def get(self, request_id: int, *, for_update: bool = False) -> LeRequest | None:
        stmt = self._select().where(LeRequestRow.id == request_id)
        if for_update:
            stmt = stmt.with_for_update(of=LeRequestRow)
        found = self._s.execute(stmt).first()
        return None if found is None else request_of(*found)

    def list_for_police(
        self, org_id: int, *, open_only: bool = False, limit: int = 200
    ) -> list[LeRequest]:
        stmt = self._select().where(LeRequestRow.police_org_id == org_id)
        if open_only:
            stmt = stmt.where(LeRequestRow.status.in_(OPEN))
        return self._all(stmt.order_by(LeRequestRow.id.desc()).limit(limit))

    def list_for_platform(
        self, org_id: int, *, open_only: bool = False, limit: int = 200
    ) -> list[LeRequest]:
        stmt = self._select().where(
            LeRequestRow.platform_org_id == org_id,
            LeRequestRow.verification == Verification.VERIFIED.value,
        )
        if open_only:
            stmt = stmt.where(LeRequestRow.status.in_(OPEN))
        return self._all(stmt.order_by(LeRequestRow.id.desc()).limit(limit))

    def list_held(self, *, limit: int = 200) -> list[LeRequest]:
        stmt = self._select().where(LeRequestRow.verification == Verification.HELD.value)
        return self._all(stmt.order_by(LeRequestRow.id).limit(limit))

    def list_for_case(self, case_id: int) -> list[LeRequest]:
        return self._all(
            self._select().where(LeRequestRow.case_id == case_id).order_by(LeRequestRow.id)
        )

    def closed_since(self, since: float) -> list[LeRequest]:
        stmt = self._select().where(
            LeRequestRow.closed_at.is_not(None),
            LeRequestRow.closed_at >= since,
            LeRequestRow.received_at.is_not(None),
        )
        return self._all(stmt.order_by(LeRequestRow.id))

    def set_verification(
        self,
        request_id: int,
        *,
        verification: Verification,
        by: str,
        received_at: float | None,
        due_at: float | None,
        preservation: Preservation | None,
    ) -> None:
        row = self._row_of(request_id)
        row.verification, row.verified_by = verification.value, by
        row.received_at, row.due_at = received_at, due_at
        if verification is Verification.REJECTED:
            row.status, row.closed_at = Status.REJECTED.value, received_at
        else:
            row.status = Status.OPEN.value
        row.preserve_until = preservation.expires_at if preservation else None
        self._s.flush()

    def add_response(
        self, request_id: int, *, draft: ResponseDraft, responder: str, at: float
    ) -> None:
        package: dict[str, Any] = {
            "records": [
                {"account": r.account, "category": r.category, "value": r.value}
                for r in draft.records
            ],
            "withheld": [
                {"account": w.account, "what": w.what, "reason": w.reason} for w in draft.withheld
            ],
        }
        self._s.add(
            LeResponseRow(
                request_id=request_id,
                at=at,
                responder=responder,
                disposition=draft.disposition.value,
                package=package,
                reason=draft.reason,
                note=draft.note,
                attested=draft.attested,
            )
        )
        self._s.flush()

    def set_status(self, request_id: int, status: Status, *, closed_at: float | None) -> None:
        row = self._row_of(request_id)
        row.status = status.value
        if closed_at is not None:
            row.closed_at = closed_at
        self._s.flush()

    def set_preservation(self, request_id: int, preservation: Preservation) -> None:
        row = self._row_of(request_id)
        row.preserve_until, row.renewed_at = preservation.expires_at, preservation.renewed_at
        self._s.flush()

    def expiring(self, before: float, limit: int) -> list[LeRequest]:
        stmt = self._select().where(
            LeRequestRow.preserve_until.is_not(None),
            LeRequestRow.renewed_at.is_(None),
            LeRequestRow.reminded_at.is_(None),
            LeRequestRow.preserve_until - RENEWAL_REMINDER_S < before,
        )
        return self._all(stmt.order_by(LeRequestRow.preserve_until).limit(limit))

    def set_reminded(self, request_id: int, at: float) -> None:
        self._row_of(request_id).reminded_at = at
        self._s.flush()

    def requester_counts(self, officer_email: str) -> dict[str, int]:
        stmt = (
            select(LeRequestRow.status, func.count())
            .where(LeRequestRow.officer_email == officer_email.lower())
            .group_by(LeRequestRow.status)
        )
        return {str(status): int(n) for status, n in self._s.execute(stmt)}

    def add_domain(self, *, org_id: int, domain: str, by: str, at: float) -> None:
        self._s.add(PoliceDomainRow(org_id=org_id, domain=domain, added_by=by, added_at=at))
        self._s.flush()

    def domains(self, org_id: int) -> list[str]:
        stmt = select(PoliceDomainRow.domain).where(PoliceDomainRow.org_id == org_id)
        return sorted(self._s.scalars(stmt))
