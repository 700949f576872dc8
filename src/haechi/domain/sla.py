"""SLA policies for takedown notices, and the due times they give.

A policy has two clocks, started when the platform receives the notice: *acknowledge* (a person at
the platform has seen it) and *act* (every listed item has an outcome). Each clock is a `Deadline`
under one of four rules:

- `elapsed`: N real seconds. A statute's "within 24 hours" means 24 real hours, so a DST change
  neither stretches nor shortens it.
- `wall_clock`: the same local wall time N seconds later in the policy's zone, so "24 h" across a
  DST change is 23 or 25 real hours. For agreements written in local office time.
- `end_of_day`: the end of the N-th local calendar day after receipt (0: the day of receipt).
- `business_days`: the end of the N-th business day after receipt (Mon-Fri minus the policy's
  holidays; N=1 is "end of next business day"; a notice received on a non-business day counts
  from the next business day). No country's holiday calendar is built in.

"End of day" is `day_end_hour` local time (24: midnight). A local due time that falls in a DST gap
or fold resolves to the *later* instant: a deadline never comes earlier than the policy reads.

Named policies (the acknowledgement clock can never run past the act clock; acting acknowledges):

- `kcsc_24h`: act within 24 h elapsed, acknowledge within 1 h. Operational defaults for notices
  from the Korean regulator, not figures read from a statute: a notice nobody saw for a day was
  the failure of the e-mail-only channel in 2024, hence an acknowledgement clock of one hour.
- `take_it_down_48h`: US TAKE IT DOWN Act (2025) §3: remove within 48 hours of a valid request. The
  Act sets no acknowledgement clock and haechi does not invent one: both clocks are 48 h.
- `custom`: any deadlines the sender gives (see `SlaPolicy.from_dict`).

Times are UTC seconds since the epoch throughout; zones matter only for local-day arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from haechi.domain.errors import InvalidInput

HOUR = 3600
MAX_SECONDS = 90 * 24 * HOUR
MAX_DAYS = 60
MAX_HOLIDAYS = 400


class Rule(StrEnum):
    ELAPSED = "elapsed"
    WALL_CLOCK = "wall_clock"
    END_OF_DAY = "end_of_day"
    BUSINESS_DAYS = "business_days"


_TIMED = (Rule.ELAPSED, Rule.WALL_CLOCK)


def local_to_utc(local: datetime, zone: ZoneInfo) -> float:
    """A naive local time in `zone` as UTC seconds; gaps and folds resolve to the later instant."""
    naive = local.replace(tzinfo=None)
    return max(naive.replace(tzinfo=zone, fold=fold).timestamp() for fold in (0, 1))


@dataclass(frozen=True, slots=True)
class Deadline:
    """One clock: `seconds` for elapsed/wall_clock rules, `days` for the day-based rules."""

    rule: Rule
    seconds: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.rule in _TIMED:
            if not 60 <= self.seconds <= MAX_SECONDS or self.days:
                raise InvalidInput(f"a {self.rule} deadline needs 1 minute to 90 days in seconds")
        elif not 0 <= self.days <= MAX_DAYS or self.seconds:
            raise InvalidInput(f"a {self.rule} deadline needs 0 to {MAX_DAYS} days")

    def to_dict(self) -> dict[str, Any]:
        if self.rule in _TIMED:
            return {"rule": self.rule.value, "hours": self.seconds / HOUR}
        return {"rule": self.rule.value, "days": self.days}

    @classmethod
    def from_dict(cls, raw: Any) -> Deadline:
        if not isinstance(raw, dict):
            raise InvalidInput("a deadline is an object with 'rule' and 'hours' or 'days'")
        try:
            rule = Rule(str(raw.get("rule")))
            if rule in _TIMED:
                return cls(rule, seconds=round(float(raw["hours"]) * HOUR))
            return cls(rule, days=int(raw["days"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(
                f"deadline rule must be one of {[r.value for r in Rule]}, with 'hours' for "
                "elapsed/wall_clock or 'days' for end_of_day/business_days"
            ) from None


@dataclass(frozen=True, slots=True)
class DueTimes:
    ack_due_at: float
    act_due_at: float
    escalate_at: float


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    name: str
    ack: Deadline
    act: Deadline
    zone: str = "UTC"
    #: how long after a missed act deadline the notice is flagged for escalation
    escalate_after_s: int = 0
    day_end_hour: int = 24
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"unknown time zone '{self.zone}'") from None
        if not 0 <= self.escalate_after_s <= MAX_SECONDS:
            raise InvalidInput("escalation grace must be between 0 and 90 days")
        if not 1 <= self.day_end_hour <= 24:
            raise InvalidInput("day_end_hour must be between 1 and 24")
        if len(self.holidays) > MAX_HOLIDAYS:
            raise InvalidInput(f"at most {MAX_HOLIDAYS} holidays")

    def due_times(self, received_at: float) -> DueTimes:
        act = self.due(self.act, received_at)
        ack = min(self.due(self.ack, received_at), act)
        return DueTimes(ack_due_at=ack, act_due_at=act, escalate_at=act + self.escalate_after_s)

    def due(self, deadline: Deadline, received_at: float) -> float:
        zone = ZoneInfo(self.zone)
        if deadline.rule is Rule.ELAPSED:
            return received_at + deadline.seconds
        local = datetime.fromtimestamp(received_at, UTC).astimezone(zone)
        if deadline.rule is Rule.WALL_CLOCK:
            return local_to_utc(
                local.replace(tzinfo=None) + timedelta(seconds=deadline.seconds), zone
            )
        day = local.date()
        if deadline.rule is Rule.END_OF_DAY:
            day += timedelta(days=deadline.days)
        else:
            day = self._business_day(day, deadline.days)
        return self._end_of(day, zone)

    def _business_day(self, start: date, n: int) -> date:
        day = start
        while not self._is_business(day):
            day += timedelta(days=1)
        for _ in range(n):
            day += timedelta(days=1)
            while not self._is_business(day):
                day += timedelta(days=1)
        return day

    def _is_business(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def _end_of(self, day: date, zone: ZoneInfo) -> float:
        midnight = datetime(day.year, day.month, day.day)
        return local_to_utc(midnight + timedelta(hours=self.day_end_hour), zone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ack": self.ack.to_dict(),
            "act": self.act.to_dict(),
            "zone": self.zone,
            "escalate_after_hours": self.escalate_after_s / HOUR,
            "day_end_hour": self.day_end_hour,
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }

    @classmethod
    def from_dict(cls, raw: Any, *, name: str = "custom") -> SlaPolicy:
        """A policy from JSON: `{"ack": {...}, "act": {...}, "zone": "Asia/Seoul",
        "escalate_after_hours": 2, "day_end_hour": 18, "holidays": ["2025-10-03"]}`."""
        if not isinstance(raw, dict) or "act" not in raw:
            raise InvalidInput("a custom SLA needs at least an 'act' deadline")
        act = Deadline.from_dict(raw["act"])
        try:
            return cls(
                name=name,
                ack=Deadline.from_dict(raw["ack"]) if raw.get("ack") is not None else act,
                act=act,
                zone=str(raw.get("zone") or "UTC"),
                escalate_after_s=round(float(raw.get("escalate_after_hours") or 0) * HOUR),
                day_end_hour=int(raw.get("day_end_hour") or 24),
                holidays=frozenset(date.fromisoformat(str(d)) for d in raw.get("holidays") or ()),
            )
        except (ValueError, TypeError):
            raise InvalidInput("custom SLA: bad number, day_end_hour or holiday date") from None


NAMED: dict[str, SlaPolicy] = {
    "kcsc_24h": SlaPolicy(
        "kcsc_24h",
        ack=Deadline(Rule.ELAPSED, seconds=HOUR),
        act=Deadline(Rule.ELAPSED, seconds=24 * HOUR),
        zone="Asia/Seoul",
    ),
    "take_it_down_48h": SlaPolicy(
        "take_it_down_48h",
        ack=Deadline(Rule.ELAPSED, seconds=48 * HOUR),
        act=Deadline(Rule.ELAPSED, seconds=48 * HOUR),
        zone="America/New_York",
    ),
}


def resolve_policy(name: str, custom: Any = None) -> SlaPolicy:
    """A named policy, or `custom` built from the sender's spec."""
    if name == "custom":
        return SlaPolicy.from_dict(custom)
    if custom is not None:
        raise InvalidInput("deadlines can only be given with the 'custom' policy")
    try:
        return NAMED[name]
    except KeyError:
        raise InvalidInput(f"SLA policy must be one of {[*NAMED, 'custom']}") from None
