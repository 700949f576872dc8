"""SQL queries behind transparency reports (read-only; one session per report).

Reports, decisions and match counts are read as plain facts (kinds, grounds, counts, times), never
as whole rows, so nothing a report must not publish leaves this module by accident. Notices and
law-enforcement requests are read through the existing stores' mapping, as the SLA board and the
law-enforcement dashboard read them, so the figures agree with those screens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from haechi.adapters.sql.le_request_rows import Platform, Police, request_of
from haechi.adapters.sql.notice_store import SqlNoticeStore
from haechi.adapters.sql.tables import MatchEventRow
from haechi.adapters.sql.tables_cases import CaseRow, DecisionRow, ReportRow
from haechi.adapters.sql.tables_le_requests import LeRequestRow
from haechi.adapters.sql.tables_tenancy import ApiTokenRow, UserRow
from haechi.adapters.sql.tenancy_store import SqlTenancyStore
from haechi.domain.le_requests import Verification
from haechi.domain.le_responses import LeRequest
from haechi.domain.notices import Notice
from haechi.domain.tenancy import Organisation, OrgKind
from haechi.domain.transparency import DecisionFact, ReportFact

#: a report never silently truncates: far above any organisation's month of notices
MAX_NOTICES = 5_000_000


def _text(sor: dict[str, Any] | None, name: str) -> str | None:
    value = (sor or {}).get(name)
    return value if isinstance(value, str) else None


class SqlTransparencyQueries:
    def __init__(self, session: Session) -> None:
        self._s = session

    def organisation(self, org_id: int) -> Organisation | None:
        return SqlTenancyStore(self._s).get_org(org_id)

    def organisation_by_name(self, name: str) -> Organisation | None:
        return SqlTenancyStore(self._s).get_org_by_name(name)

    def reports(self, *, org_id: int, start: float, end: float) -> list[ReportFact]:
        stmt = (
            select(ReportRow.reporter_kind, ReportRow.channel, ReportRow.created_at)
            .join(CaseRow, CaseRow.id == ReportRow.case_id)
            .where(CaseRow.owner_org_id == org_id)
            .where(ReportRow.created_at >= start, ReportRow.created_at < end)
        )
        return [ReportFact(kind, channel, at) for kind, channel, at in self._s.execute(stmt)]

    def decisions(self, *, org_id: int, start: float, end: float) -> list[DecisionFact]:
        stmt = select(
            DecisionRow.outcome, DecisionRow.created_at, DecisionRow.statement_of_reasons
        ).where(
            DecisionRow.org_id == org_id,
            DecisionRow.created_at >= start,
            DecisionRow.created_at < end,
        )
        return [
            DecisionFact(
                outcome=outcome,
                at=at,
                ground=_text(sor, "decision_ground"),
                category=_text(sor, "category"),
                source_type=_text(sor, "source_type"),
                automated_detection=_text(sor, "automated_detection"),
                automated_decision=_text(sor, "automated_decision"),
            )
            for outcome, at, sor in self._s.execute(stmt)
        ]

    def notices(self, *, org_id: int, start: float, end: float) -> list[Notice]:
        found = SqlNoticeStore(self._s).list_for_org(org_id, since=start, limit=MAX_NOTICES)
        return sorted((n for n in found if n.sent_at < end), key=lambda n: (n.sent_at, n.id))

    def le_requests(self, *, org: Organisation, start: float, end: float) -> list[LeRequest]:
        stmt = (
            select(LeRequestRow, Police.name, Platform.name)
            .join(Police, Police.id == LeRequestRow.police_org_id)
            .join(Platform, Platform.id == LeRequestRow.platform_org_id)
            .options(selectinload(LeRequestRow.responses))
            .where(LeRequestRow.submitted_at >= start, LeRequestRow.submitted_at < end)
        )
        if org.kind is OrgKind.POLICE:
            stmt = stmt.where(LeRequestRow.police_org_id == org.id)
        elif org.kind is OrgKind.PLATFORM:
            stmt = stmt.where(
                LeRequestRow.platform_org_id == org.id,
                LeRequestRow.verification == Verification.VERIFIED.value,
            )
        elif org.kind is not OrgKind.REGULATOR:
            return []
        return [request_of(*found) for found in self._s.execute(stmt.order_by(LeRequestRow.id))]

    def matches_by_bank(self, *, org: Organisation, start: float, end: float) -> dict[str, int]:
        stmt = (
            select(MatchEventRow.bank_name, func.count())
            .where(MatchEventRow.at >= start, MatchEventRow.at < end)
            .group_by(MatchEventRow.bank_name)
        )
        if org.kind is not OrgKind.REGULATOR:
            stmt = stmt.where(or_(*self._requesters(org.id)))
        return {bank: int(n) for bank, n in self._s.execute(stmt)}

    def _requesters(self, org_id: int) -> list[Any]:
        """The org's callers as match events label them: `user:<id>` and `token:<id>`."""
        users = select(literal("user:", String) + cast(UserRow.id, String)).where(
            UserRow.org_id == org_id
        )
        tokens = select(literal("token:", String) + cast(ApiTokenRow.id, String)).where(
            ApiTokenRow.org_id == org_id
        )
        return [MatchEventRow.requester.in_(users), MatchEventRow.requester.in_(tokens)]


class SqlTransparencyReader:
    """Opens one session per report and never writes (rolls back at the end)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    @contextmanager
    def __call__(self) -> Iterator[SqlTransparencyQueries]:
        session = self._factory()
        try:
            yield SqlTransparencyQueries(session)
        finally:
            session.rollback()
            session.close()
