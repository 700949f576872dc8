"""Cases: reports about the same material gathered in one place, triaged and decided item by item.

Triage order is a rule, not a preference: trusted flaggers and regulators first, then cases whose
items match a bank, then the rest; older first within a tier. A case number (`HC-2026-000123`) and
an 8-digit PIN let a reporter follow or withdraw her report without an account; only the PIN's
scrypt hash is stored.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from haechi.domain.errors import InvalidInput
from haechi.domain.reports import ItemKind, ReporterKind, ReportFields


class CaseStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    RECEIVED = "received"
    WITHDRAWN = "withdrawn"


class ItemStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED_ILLEGAL = "confirmed_illegal"
    NOT_ILLEGAL = "not_illegal"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"


#: cases a moderator still has to work on
ACTIVE_CASE = frozenset({CaseStatus.OPEN, CaseStatus.ESCALATED})
#: items that still await (or await again) a decision
UNDECIDED = frozenset({ItemStatus.PENDING, ItemStatus.ESCALATED})


class Priority(IntEnum):
    """Lower sorts first."""

    TRUSTED = 0
    MATCHED = 1
    ROUTINE = 2


def triage_priority(kind: ReporterKind, *, matched: bool) -> Priority:
    if kind in (ReporterKind.TRUSTED_FLAGGER, ReporterKind.REGULATOR):
        return Priority.TRUSTED
    return Priority.MATCHED if matched else Priority.ROUTINE


def triage_key(priority: int, created_at: float, case_id: int) -> tuple[int, float, int]:
    """The queue's sort key: tier, then age (older first), then id for a stable order."""
    return (priority, created_at, case_id)


# -- case numbers and PINs -------------------------------------------------------------------------

_CASE_NUMBER = re.compile(r"HC-(\d{4})-(\d{6,})")
PIN_DIGITS = 8


def format_case_number(year: int, serial: int) -> str:
    """`HC-2026-000123`: the year the case was opened and its serial (the case's id)."""
    return f"HC-{year:04d}-{serial:06d}"


def parse_case_number(value: object) -> str:
    """The canonical case number, or InvalidInput (never a lookup of arbitrary strings)."""
    text = str(value or "").strip().upper()
    if not _CASE_NUMBER.fullmatch(text):
        raise InvalidInput("case number must look like HC-2026-000123")
    return text


def new_pin() -> str:
    """An 8-digit PIN shown to the reporter once; only its scrypt hash is kept."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def check_pin_format(value: object) -> str:
    text = str(value or "").strip()
    if len(text) != PIN_DIGITS or not text.isdigit():
        raise InvalidInput(f"the PIN has {PIN_DIGITS} digits")
    return text


# -- what the stores hand back ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchEvidence:
    bank: str
    content_id: int
    signal_type: str
    distance: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "content_id": self.content_id,
            "signal_type": self.signal_type,
            "distance": self.distance,
        }


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    number: str
    owner_org_id: int
    status: CaseStatus
    priority: Priority
    created_at: float
    updated_at: float
    shared_with: frozenset[int] = frozenset()

    def visible_to(self, org_id: int) -> bool:
        return org_id == self.owner_org_id or org_id in self.shared_with


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    case_id: int
    fields: ReportFields
    status: ReportStatus
    created_at: float
    submitted_by: int | None = None
    pin_hash: str | None = None


@dataclass(frozen=True, slots=True)
class CaseItem:
    id: int
    case_id: int
    report_id: int
    kind: ItemKind
    status: ItemStatus
    created_at: float
    url: str | None = None
    chat_link: str | None = None
    signals: dict[str, str] = field(default_factory=dict)
    media_key: str | None = None
    media_type: str | None = None
    evidence: tuple[MatchEvidence, ...] = ()
    bank_content_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case: Case
    reporter_kinds: tuple[ReporterKind, ...]
    items: int
    undecided: int
    matched: bool
    #: a report in the case came from a source past the bulk threshold: verify before banking
    bulk_source: bool = False


def case_status_for(statuses: list[ItemStatus]) -> CaseStatus:
    """A case's status follows its items: escalated while any item is, open while any awaits a
    decision, withdrawn when every item was withdrawn, otherwise closed."""
    if statuses and all(s is ItemStatus.WITHDRAWN for s in statuses):
        return CaseStatus.WITHDRAWN
    if ItemStatus.ESCALATED in statuses:
        return CaseStatus.ESCALATED
    if ItemStatus.PENDING in statuses:
        return CaseStatus.OPEN
    return CaseStatus.CLOSED
