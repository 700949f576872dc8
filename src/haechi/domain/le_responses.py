"""The platform's answers to law-enforcement requests, and the request as stored with them.

An answer is `complete`, `partial` (some records supplied, more to follow or withheld) or
`refused`. A disclosure package lists the account identifiers covered, the records supplied and
what was withheld and why. Data minimisation is checked here: records may only be about accounts
the request named; refusals and withholdings must give a reason; an emergency answer needs the
platform's own attestation that it reviewed the emergency basis.

The response clock stops at the first `complete` or `refused` answer; `partial` answers keep it
running. Response time is measured from the platform's receipt (after verification), not from
submission, so a held request does not count against the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from haechi.domain.errors import Conflict, InvalidInput
from haechi.domain.le_requests import (
    CLOSED,
    Attachment,
    EmergencyBasis,
    LegalBasis,
    Preservation,
    RequestType,
    Status,
    Target,
    TargetKind,
    Urgency,
    Verification,
    clean,
)
from haechi.domain.notices import Clock
from haechi.domain.sla import SlaPolicy

MAX_RECORDS = 1000


class Disposition(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SuppliedRecord:
    account: str
    category: str
    value: str


@dataclass(frozen=True, slots=True)
class Withheld:
    account: str
    what: str
    reason: str


@dataclass(frozen=True, slots=True)
class ResponseDraft:
    disposition: Disposition
    records: tuple[SuppliedRecord, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    reason: str = ""
    note: str = ""
    #: the platform reviewer attests the emergency basis (required for emergency requests)
    attested: bool = False


@dataclass(frozen=True, slots=True)
class LeResponse:
    id: int
    at: float
    responder: str
    disposition: Disposition
    records: tuple[SuppliedRecord, ...]
    withheld: tuple[Withheld, ...]
    reason: str
    note: str
    attested: bool


@dataclass(frozen=True, slots=True)
class LeRequest:
    id: int
    type: RequestType
    police_org_id: int
    police_org: str
    platform_org_id: int
    platform_org: str
    agency: str
    officer: str
    officer_email: str
    badge: str
    basis: LegalBasis
    targets: tuple[Target, ...]
    urgency: Urgency
    policy: SlaPolicy
    status: Status
    verification: Verification
    submitted_at: float
    received_at: float | None = None
    due_at: float | None = None
    closed_at: float | None = None
    date_from: date | None = None
    date_to: date | None = None
    case_id: int | None = None
    case_number: str | None = None
    note: str = ""
    emergency: EmergencyBasis | None = None
    attachment: Attachment | None = None
    preservation: Preservation | None = None
    responses: tuple[LeResponse, ...] = ()

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.targets if t.kind is TargetKind.ACCOUNT)

    @property
    def clock(self) -> Clock | None:
        """The response clock, once the platform has the request."""
        if self.received_at is None or self.due_at is None:
            return None
        return Clock(self.received_at, self.due_at, self.closed_at)

    @property
    def open(self) -> bool:
        return self.status not in CLOSED and self.verification is Verification.VERIFIED

    @property
    def took(self) -> float | None:
        """Seconds from receipt to the answer that closed the request."""
        clock = self.clock
        return None if clock is None else clock.took


def check_response(request: LeRequest, draft: ResponseDraft) -> ResponseDraft:
    """The answer as it may be stored for `request`, or InvalidInput / Conflict."""
    if request.verification is not Verification.VERIFIED:
        raise Conflict("the request has not been verified")
    if request.status in CLOSED:
        raise Conflict(f"the request is already {request.status}")
    if request.type is RequestType.EMERGENCY and not draft.attested:
        raise InvalidInput("answering an emergency request needs the reviewer's attestation")
    if len(draft.records) + len(draft.withheld) > MAX_RECORDS:
        raise InvalidInput(f"at most {MAX_RECORDS} records and withholdings per answer")
    records = tuple(_record(request, r) for r in draft.records)
    withheld = tuple(_withheld(request, w) for w in draft.withheld)
    reason = clean(draft.reason, "reason", required=draft.disposition is Disposition.REFUSED)
    if draft.disposition is Disposition.REFUSED and records:
        raise InvalidInput("a refusal supplies no records")
    if draft.disposition is Disposition.PARTIAL and not (records or withheld):
        raise InvalidInput("a partial answer supplies or withholds something")
    return ResponseDraft(
        draft.disposition,
        records,
        withheld,
        reason,
        clean(draft.note, "note", required=False),
        draft.attested,
    )


def _record(request: LeRequest, record: SuppliedRecord) -> SuppliedRecord:
    account = clean(record.account, "record account", 2048)
    named = request.type in (RequestType.DISCLOSURE, RequestType.EMERGENCY)
    if named and account not in request.accounts:
        raise InvalidInput(f"records may only be about accounts the request named: {account}")
    return SuppliedRecord(
        account, clean(record.category, "record category", 200), clean(record.value, "record")
    )


def _withheld(request: LeRequest, item: Withheld) -> Withheld:
    return Withheld(
        clean(item.account, "withheld account", 2048),
        clean(item.what, "what was withheld", 400),
        clean(item.reason, f"reason for withholding {item.what!r}"),
    )


def status_after(disposition: Disposition) -> Status:
    return {
        Disposition.COMPLETE: Status.ANSWERED,
        Disposition.PARTIAL: Status.PARTIAL,
        Disposition.REFUSED: Status.REFUSED,
    }[disposition]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[min(int(rank), len(ordered)) - 1]
