"""Port for transparency reports: read-only queries over one organisation's period.

Each method takes the organisation and a half-open interval [start, end) of UTC seconds and
applies the tenancy rule in the query: an organisation's reports are those filed into cases it
owns; its notices those it sent or received; its law-enforcement requests those it submitted
(police), received verified (platform) or verifies (regulator: all); its matches those asked by
its users and tokens (regulator, running the instance: every match).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from haechi.domain.le_responses import LeRequest
from haechi.domain.notices import Notice
from haechi.domain.tenancy import Organisation
from haechi.domain.transparency import DecisionFact, ReportFact, TransparencyReport


class TransparencyQueries(Protocol):
    def organisation(self, org_id: int) -> Organisation | None: ...
    def organisation_by_name(self, name: str) -> Organisation | None: ...
    def reports(self, *, org_id: int, start: float, end: float) -> list[ReportFact]: ...
    def decisions(self, *, org_id: int, start: float, end: float) -> list[DecisionFact]: ...
    def notices(self, *, org_id: int, start: float, end: float) -> list[Notice]: ...
    def le_requests(self, *, org: Organisation, start: float, end: float) -> list[LeRequest]: ...
    def matches_by_bank(self, *, org: Organisation, start: float, end: float) -> dict[str, int]:
        """Match events per bank name, counted in the database."""
        ...


class TransparencyReader(Protocol):
    """Opens a read-only session for one report (all figures from one snapshot)."""

    def __call__(self) -> AbstractContextManager[TransparencyQueries]: ...


class ReportRenderer(Protocol):
    """Draws a report with charts (matplotlib): an HTML page and a PDF."""

    def html(self, report: TransparencyReport) -> bytes: ...
    def pdf(self, report: TransparencyReport) -> bytes: ...
