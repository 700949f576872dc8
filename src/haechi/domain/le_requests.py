"""Law-enforcement requests: police ask a platform for data, a hold, or a removal, under a clock.

Four kinds, each with its own default clock (an `SlaPolicy`; a request may carry another):

- `disclosure`: subscriber / account data for named accounts. 24 h by default (the Korean 2024
  hotline answered suspects' data requests within a day).
- `preservation`: hold the data of named accounts for 90 days, renewable once by another 90; the
  police are reminded `RENEWAL_REMINDER_S` before the hold expires.
- `emergency`: threat to life or safety. A separate, high-scrutiny path: the officer must describe
  the threat, name a supervisor and attest that it is an emergency; the platform must attest too
  when it answers; the platform is paged at once. Kodex found ~30 % of emergency requests failed
  verification, which is why the requester's history is shown beside every request.
- `removal`: a removal order (DSA Art. 9 style) for named items.

Verification. A request whose officer e-mail domain is not registered for the police organisation
is `held`: the platform neither sees nor answers it until a regulator verifies (or rejects) it.
The clock starts when the platform receives the request, i.e. at submission or at verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from haechi.domain.errors import Conflict, InvalidInput
from haechi.domain.sla import HOUR, Deadline, Rule, SlaPolicy

DAY = 24 * HOUR
PRESERVATION_S = 90 * DAY
RENEWAL_REMINDER_S = 14 * DAY
MAX_TARGETS = 200
MAX_TEXT = 4000


class RequestType(StrEnum):
    DISCLOSURE = "disclosure"
    PRESERVATION = "preservation"
    EMERGENCY = "emergency"
    REMOVAL = "removal"


class Instrument(StrEnum):
    WARRANT = "warrant"
    COURT_ORDER = "court_order"
    SUBPOENA = "subpoena_equivalent"
    EMERGENCY = "emergency"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class TargetKind(StrEnum):
    ACCOUNT = "account"
    ROOM = "room"
    ITEM = "item"


class Verification(StrEnum):
    HELD = "held"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Status(StrEnum):
    """Where a request stands; `held` and `rejected` never reach the platform."""

    HELD = "held"
    REJECTED = "rejected"
    OPEN = "open"
    PARTIAL = "partial"
    ANSWERED = "answered"
    REFUSED = "refused"


CLOSED = frozenset({Status.ANSWERED, Status.REFUSED, Status.REJECTED})


def _policy(name: str, ack_s: int, act_s: int) -> SlaPolicy:
    return SlaPolicy(
        name, ack=Deadline(Rule.ELAPSED, seconds=ack_s), act=Deadline(Rule.ELAPSED, seconds=act_s)
    )


DEFAULT_POLICIES: dict[RequestType, SlaPolicy] = {
    RequestType.DISCLOSURE: _policy("le_disclosure_24h", HOUR, 24 * HOUR),
    RequestType.PRESERVATION: _policy("le_preservation_24h", HOUR, 24 * HOUR),
    RequestType.EMERGENCY: _policy("le_emergency_1h", 15 * 60, HOUR),
    RequestType.REMOVAL: _policy("le_removal_24h", HOUR, 24 * HOUR),
}


def clean(text: str | None, what: str, limit: int = MAX_TEXT, *, required: bool = True) -> str:
    value = (text or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{what} is required")
        return ""
    if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{what} must be at most {limit} printable characters")
    return value


def email_domain(email: str) -> str:
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or "." not in domain or len(email) > 254:
        raise InvalidInput("officer e-mail must be a valid address")
    return domain


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    value: str

    def checked(self) -> Target:
        return Target(self.kind, clean(self.value, f"{self.kind} value", 2048))


@dataclass(frozen=True, slots=True)
class LegalBasis:
    statute: str
    instrument: Instrument
    reference: str = ""


@dataclass(frozen=True, slots=True)
class EmergencyBasis:
    """What the high-scrutiny path asks of the officer on top of a normal request."""

    threat: str
    supervisor: str
    attested: bool


@dataclass(frozen=True, slots=True)
class Attachment:
    key: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class LeRequestDraft:
    type: RequestType
    platform: str
    agency: str
    officer: str
    officer_email: str
    badge: str
    basis: LegalBasis
    targets: tuple[Target, ...]
    policy: SlaPolicy
    urgency: Urgency = Urgency.ROUTINE
    date_from: date | None = None
    date_to: date | None = None
    case_number: str | None = None
    note: str = ""
    emergency: EmergencyBasis | None = None

    def checked(self) -> LeRequestDraft:
        if not self.targets or len(self.targets) > MAX_TARGETS:
            raise InvalidInput(f"a request names 1 to {MAX_TARGETS} accounts, rooms or items")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("date range: 'from' is after 'to'")
        email_domain(self.officer_email)
        self._check_kind()
        return LeRequestDraft(
            type=self.type,
            platform=clean(self.platform, "platform", 200),
            agency=clean(self.agency, "agency", 200),
            officer=clean(self.officer, "officer", 200),
            officer_email=self.officer_email.strip().lower(),
            badge=clean(self.badge, "badge / ID", 100),
            basis=LegalBasis(
                clean(self.basis.statute, "statute"),
                self.basis.instrument,
                clean(self.basis.reference, "instrument reference", 400, required=False),
            ),
            targets=tuple(dict.fromkeys(t.checked() for t in self.targets)),
            policy=self.policy,
            urgency=Urgency.IMMEDIATE if self.type is RequestType.EMERGENCY else self.urgency,
            date_from=self.date_from,
            date_to=self.date_to,
            case_number=self.case_number,
            note=clean(self.note, "note", required=False),
            emergency=self._emergency(),
        )

    def _check_kind(self) -> None:
        emergency = self.type is RequestType.EMERGENCY
        if emergency != (self.basis.instrument is Instrument.EMERGENCY):
            raise InvalidInput("the 'emergency' instrument is used for emergency requests only")
        if not emergency and self.emergency is not None:
            raise InvalidInput("only emergency requests carry an emergency basis")
        kinds = {t.kind for t in self.targets}
        if self.type is not RequestType.REMOVAL and TargetKind.ACCOUNT not in kinds:
            raise InvalidInput(f"a {self.type} request names at least one account")

    def _emergency(self) -> EmergencyBasis | None:
        if self.type is not RequestType.EMERGENCY:
            return None
        given = self.emergency
        if given is None or not given.attested:
            raise InvalidInput(
                "an emergency request needs the threat, a supervisor and attestation"
            )
        return EmergencyBasis(
            clean(given.threat, "threat to life or safety"),
            clean(given.supervisor, "supervisor", 200),
            True,
        )


@dataclass(frozen=True, slots=True)
class Preservation:
    """A hold: 90 days from receipt, extended once by another 90."""

    expires_at: float
    renewed_at: float | None = None

    @classmethod
    def starting(cls, at: float) -> Preservation:
        return cls(expires_at=at + PRESERVATION_S)

    def renewed(self, at: float) -> Preservation:
        if self.renewed_at is not None:
            raise Conflict("a preservation can be renewed once only")
        if at > self.expires_at:
            raise Conflict("the preservation has expired; send a new request")
        return Preservation(self.expires_at + PRESERVATION_S, at)

    def remind_at(self) -> float | None:
        """When to remind the police to renew (never once renewed)."""
        return None if self.renewed_at is not None else self.expires_at - RENEWAL_REMINDER_S

    def active(self, now: float) -> bool:
        return now <= self.expires_at


@dataclass(frozen=True, slots=True)
class Requester:
    """One officer's requests across the whole instance, by outcome (shown to platforms)."""

    email: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())
