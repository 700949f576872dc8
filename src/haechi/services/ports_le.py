"""Ports for law-enforcement requests: the store, and the mailer that pages platforms.

The tenancy rules live in the store's queries: `list_for_police` returns only what that police
organisation submitted; `list_for_platform` only *verified* requests addressed to that platform,
so a held request never appears in a platform's inbox, whatever the caller forgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from haechi.domain.le_requests import (
    Attachment,
    LeRequestDraft,
    Preservation,
    Status,
    Verification,
)
from haechi.domain.le_responses import LeRequest, ResponseDraft


@dataclass(frozen=True, slots=True)
class NewLeRequest:
    """A checked draft plus everything the service decided about it."""

    draft: LeRequestDraft
    police_org_id: int
    platform_org_id: int
    verification: Verification
    submitted_at: float
    received_at: float | None
    due_at: float | None
    case_id: int | None = None
    attachment: Attachment | None = None
    preservation: Preservation | None = None


class LeRequestStore(Protocol):
    """Requests, answers and police e-mail domains. Never commits: the unit of work does."""

    def add(self, new: NewLeRequest) -> LeRequest: ...
    def get(self, request_id: int, *, for_update: bool = False) -> LeRequest | None: ...
    def list_for_police(
        self, org_id: int, *, open_only: bool = False, limit: int = 200
    ) -> list[LeRequest]: ...
    def list_for_platform(
        self, org_id: int, *, open_only: bool = False, limit: int = 200
    ) -> list[LeRequest]: ...
    def list_held(self, *, limit: int = 200) -> list[LeRequest]: ...
    def list_for_case(self, case_id: int) -> list[LeRequest]:
        """Every request citing the case, with its answers, oldest first (evidence packages)."""

    def closed_since(self, since: float) -> list[LeRequest]:
        """Requests closed by an answer at or after `since` (response-time figures)."""

    def set_verification(
        self,
        request_id: int,
        *,
        verification: Verification,
        by: str,
        received_at: float | None,
        due_at: float | None,
        preservation: Preservation | None,
    ) -> None: ...
    def add_response(
        self, request_id: int, *, draft: ResponseDraft, responder: str, at: float
    ) -> None: ...
    def set_status(self, request_id: int, status: Status, *, closed_at: float | None) -> None: ...
    def set_preservation(self, request_id: int, preservation: Preservation) -> None: ...
    def expiring(self, before: float, limit: int) -> list[LeRequest]:
        """Unrenewed, unreminded holds whose reminder time is before `before`."""

    def set_reminded(self, request_id: int, at: float) -> None: ...
    def requester_counts(self, officer_email: str) -> dict[str, int]:
        """Requests by this officer across the instance, counted by status."""

    def add_domain(self, *, org_id: int, domain: str, by: str, at: float) -> None: ...
    def domains(self, org_id: int) -> list[str]: ...


class Mailer(Protocol):
    """Sends one plain-text e-mail; raises HaechiError when it cannot."""

    def send(self, *, to: Sequence[str], subject: str, body: str) -> None: ...


class NoMailer:
    """Used when no SMTP server is configured: paging by e-mail is off (webhooks still go)."""

    def send(self, *, to: Sequence[str], subject: str, body: str) -> None:
        return None
