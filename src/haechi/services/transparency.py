"""Transparency reports for a period and an organisation: JSON, CSV, HTML and PDF.

An organisation's admins, analysts and auditors produce its own report; a regulator's admins and
analysts produce any organisation's (domain.transparency.check_may_report). Every report made is
audited with the period and format, never with figures. All figures are read from one session, so
a report is one consistent snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.tenancy import Organisation, OrgKind, Principal
from haechi.domain.transparency import Period, TransparencyReport, check_may_report
from haechi.services.audit import record
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_transparency import (
    ReportRenderer,
    TransparencyQueries,
    TransparencyReader,
)
from haechi.services.transparency_export import to_csv, to_json_bytes
from haechi.services.transparency_figures import build_report

FORMATS = ("json", "csv", "html", "pdf")
_MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
INSTALL_HINT = "charts need matplotlib: pip install 'haechi[reports]'"


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    media_type: str
    filename: str


def check_format(value: object) -> str:
    fmt = str(value or "json").lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {list(FORMATS)}")
    return fmt


class TransparencyService:
    def __init__(
        self,
        *,
        reader: TransparencyReader,
        uow_factory: UnitOfWorkFactory,
        renderer: ReportRenderer | None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._reader = reader
        self._uow = uow_factory
        self._renderer = renderer
        self._now = now

    def report(
        self, principal: Principal, *, org: str | None, period: Period, fmt: str = "json"
    ) -> TransparencyReport:
        """The figures of `org` (default: the caller's organisation) over `period`."""
        with self._reader() as queries:
            target = self._target(queries, principal, org)
            check_may_report(principal, target.id)
            report = self._figures(queries, target, period)
        with self._uow() as uow:
            record(
                uow, principal, "transparency.report", "organisation", target.id,
                start=period.start.isoformat(), end=period.end.isoformat(), format=fmt,
            )  # fmt: skip
        return report

    def render(
        self, principal: Principal, *, org: str | None, period: Period, fmt: str
    ) -> Rendered:
        fmt = check_format(fmt)
        if fmt in ("html", "pdf") and self._renderer is None:
            raise InvalidInput(f"the {fmt} format is not available here: {INSTALL_HINT}")
        report = self.report(principal, org=org, period=period, fmt=fmt)
        name = f"transparency-{period.start.isoformat()}-{period.last_day.isoformat()}.{fmt}"
        return Rendered(self.render_report(report, fmt), _MEDIA[fmt], name)

    def render_report(self, report: TransparencyReport, fmt: str) -> bytes:
        if fmt == "json":
            return to_json_bytes(report)
        if fmt == "csv":
            return to_csv(report).encode()
        if self._renderer is None:
            raise InvalidInput(INSTALL_HINT)
        return self._renderer.html(report) if fmt == "html" else self._renderer.pdf(report)

    @staticmethod
    def _target(
        queries: TransparencyQueries, principal: Principal, org: str | None
    ) -> Organisation:
        found = (
            queries.organisation(principal.org_id)
            if org is None
            else queries.organisation_by_name(org)
        )
        if found is None:
            if principal.org_kind is not OrgKind.REGULATOR:
                raise Forbidden("transparency reports of other organisations are a regulator's")
            raise NotFound(f"no organisation named '{org}'")
        return found

    def _figures(
        self, queries: TransparencyQueries, org: Organisation, period: Period
    ) -> TransparencyReport:
        start, end = period.start_ts, period.end_ts
        return build_report(
            org=org,
            period=period,
            now=self._now(),
            reports=queries.reports(org_id=org.id, start=start, end=end),
            decisions=queries.decisions(org_id=org.id, start=start, end=end),
            notices=queries.notices(org_id=org.id, start=start, end=end),
            le_requests=queries.le_requests(org=org, start=start, end=end),
            matches=queries.matches_by_bank(org=org, start=start, end=end),
        )
