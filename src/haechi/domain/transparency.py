"""Transparency reports: what an organisation did in a period, in figures fit to publish.

A report covers one organisation and a half-open period [start, end) of UTC days. It counts
reports received by source type, notices sent and received, law-enforcement requests, hash
matches by bank and decisions by ground, and gives time-to-acknowledge and time-to-act figures.

Published figures never carry personal data: no names of people, e-mail addresses, case numbers,
PINs, hashes, URLs or record ids. Only counts, durations, and the names of organisations (the
platforms a scorecard is about) and banks appear; the `Facts` records below hold nothing else.

Percentiles: notice times use linear interpolation between closest ranks (numpy's default), as
the live SLA board does; law-enforcement response times use the nearest-rank method, as the
law-enforcement dashboard does. A report shows what those screens showed over the same notices.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from haechi.domain.errors import Forbidden, InvalidInput
from haechi.domain.reports import ReporterKind
from haechi.domain.tenancy import OrgKind, Principal, Role

MAX_DAYS = 400
HOUR = 3600.0
#: upper edges (hours) of the time-to-act histogram; the last bin is open-ended
ACT_BINS_H = (1.0, 6.0, 12.0, 24.0, 48.0, 72.0)
#: decisions that carry no DSA ground (no statement of reasons: nothing was restricted)
NOT_ILLEGAL = "NOT_ILLEGAL"
ESCALATED = "ESCALATED"
#: roles that may produce their own organisation's report; a regulator's may produce anyone's
_REPORT_ROLES = frozenset({Role.ADMIN, Role.ANALYST, Role.AUDITOR})
_ANY_ORG_ROLES = frozenset({Role.ADMIN, Role.ANALYST})


@dataclass(frozen=True, slots=True)
class Period:
    """UTC days [start, end): `2026-10-01` to `2026-11-01` is October."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("the period must end after it starts ('to' is exclusive)")
        if (self.end - self.start).days > MAX_DAYS:
            raise InvalidInput(f"a report covers at most {MAX_DAYS} days")

    @classmethod
    def parse(cls, start: object, end: object) -> Period:
        try:
            return cls(date.fromisoformat(str(start)), date.fromisoformat(str(end)))
        except ValueError:
            raise InvalidInput("'from' and 'to' must be dates written YYYY-MM-DD") from None

    @property
    def start_ts(self) -> float:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp()

    @property
    def end_ts(self) -> float:
        return datetime(self.end.year, self.end.month, self.end.day, tzinfo=UTC).timestamp()

    def holds(self, ts: float) -> bool:
        return self.start_ts <= ts < self.end_ts

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def check_may_report(principal: Principal, org_id: int) -> None:
    """Admins, analysts and auditors report on their own organisation; a regulator's admins and
    analysts on any (the regulator runs the instance and publishes the sector's figures)."""
    roles = principal.roles
    if principal.org_id == org_id and roles & _REPORT_ROLES:
        return
    if principal.org_kind is OrgKind.REGULATOR and roles & _ANY_ORG_ROLES:
        return
    raise Forbidden("transparency reports need an admin, analyst or auditor of the organisation")


# -- plain records the report is computed from -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportFact:
    reporter_kind: str
    channel: str
    at: float


@dataclass(frozen=True, slots=True)
class DecisionFact:
    """One decision: its outcome and the statement-of-reasons fields that are counted."""

    outcome: str
    at: float
    ground: str | None = None
    category: str | None = None
    source_type: str | None = None
    automated_detection: str | None = None
    automated_decision: str | None = None


# -- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Times:
    """Durations in seconds over the notices (or requests) whose clock stopped."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    """One platform against the SLA: "Platform X: 148 of 148 within 24 h, slowest 36 h"."""

    platform: str
    policies: tuple[str, ...]
    #: the act deadline (seconds after receipt) when every notice had the same one
    act_window_s: float | None
    notices: int
    within_sla: int
    late: int
    unanswered: int
    items: int
    removed: int
    slowest_s: float | None
    ack: Times
    act: Times

    @property
    def headline(self) -> str:
        """'Platform X: 148 of 148 within 24 h, slowest 36 h' (hours, rounded down)."""
        window = short_duration(self.act_window_s) if self.act_window_s else "the SLA"
        text = f"{self.platform}: {self.within_sla} of {self.notices} within {window}"
        if self.slowest_s is not None:
            text += f", slowest {short_duration(self.slowest_s)}"
        return text


@dataclass(frozen=True, slots=True)
class NoticeSection:
    sent: int
    received: int
    items: int
    outcomes: dict[str, int]
    ack: Times
    act: Times
    act_histogram: tuple[tuple[str, int], ...]
    scorecard: tuple[ScorecardRow, ...]


@dataclass(frozen=True, slots=True)
class LeRow:
    platform: str
    answered: int
    refused: int
    late: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True, slots=True)
class LeSection:
    received: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    response: Times
    platforms: tuple[LeRow, ...]


@dataclass(frozen=True, slots=True)
class DecisionSection:
    total: int
    by_ground: dict[str, int]
    by_category: dict[str, int]
    by_source: dict[str, int]
    automated_detection: dict[str, int]
    automated_decision: dict[str, int]
    human: int
    automated: int


@dataclass(frozen=True, slots=True)
class TransparencyReport:
    org: str
    org_kind: str
    period: Period
    generated_at: float
    reports_by_source: dict[str, int]
    reports_by_channel: dict[str, int]
    notices: NoticeSection
    le: LeSection
    matches_by_bank: dict[str, int]
    decisions: DecisionSection
    notes: tuple[str, ...] = field(default=())

    @property
    def reports_total(self) -> int:
        return sum(self.reports_by_source.values())


def counts(values: Iterable[str], keys: Iterable[str] = ()) -> dict[str, int]:
    """Counts per value, listing every key in `keys` (zero or not) first, then others sorted."""
    found = Counter(values)
    out = {k: found.pop(k, 0) for k in keys}
    return out | dict(sorted(found.items()))


def short_duration(seconds: float) -> str:
    """Whole hours, or whole minutes under an hour (rounded down, as SLA figures are quoted)."""
    if seconds < HOUR:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds // HOUR)} h"


def common_window(windows: Iterable[float]) -> float | None:
    """The one deadline every notice had (to the minute), else None."""
    found = {round(w / 60) * 60 for w in windows}
    return float(found.pop()) if len(found) == 1 else None


def reports_by_source(facts: Iterable[ReportFact]) -> dict[str, int]:
    return counts((f.reporter_kind for f in facts), (k.value for k in ReporterKind))


def act_histogram(durations_s: Iterable[float]) -> tuple[tuple[str, int], ...]:
    """Time to act in bins of hours [a, b): '< 1 h', '1-6 h', ..., '≥ 72 h'."""
    edges = ACT_BINS_H
    labels = [f"< {edges[0]:g} h"] + [f"{a:g}-{b:g} h" for a, b in pairwise(edges)]
    labels.append(f"≥ {edges[-1]:g} h")
    bins = [0] * len(labels)
    for seconds in durations_s:
        hours = seconds / HOUR
        bins[next((i for i, edge in enumerate(edges) if hours < edge), len(edges))] += 1
    return tuple(zip(labels, bins, strict=True))


def decision_section(facts: Iterable[DecisionFact]) -> DecisionSection:
    """Decisions by DSA ground. A decision that restricted nothing has no statement of reasons:
    it counts as NOT_ILLEGAL (or ESCALATED, handed on) instead of a ground."""
    rows = list(facts)
    grounds = [f.ground or (ESCALATED if f.outcome == "escalate" else NOT_ILLEGAL) for f in rows]
    stated = [f for f in rows if f.ground is not None]
    automated = sum(
        1 for f in stated if f.automated_decision not in (None, "AUTOMATED_DECISION_NOT_AUTOMATED")
    )
    return DecisionSection(
        total=len(rows),
        by_ground=counts(grounds),
        by_category=counts(f.category for f in stated if f.category),
        by_source=counts(f.source_type for f in stated if f.source_type),
        automated_detection=counts(f.automated_detection or "No" for f in stated),
        automated_decision=counts(f.automated_decision for f in stated if f.automated_decision),
        human=len(rows) - automated,
        automated=automated,
    )


def ranked(items: Mapping[str, int]) -> dict[str, int]:
    """Largest count first (ties by name): how banks are listed."""
    return dict(sorted(items.items(), key=lambda kv: (-kv[1], kv[0])))
