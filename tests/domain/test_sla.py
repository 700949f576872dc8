"""SLA arithmetic across day and DST boundaries, with fixed timestamps (no sleeping, no now())."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from haechi.domain.errors import InvalidInput
from haechi.domain.sla import HOUR, NAMED, Deadline, Rule, SlaPolicy, local_to_utc, resolve_policy

SEOUL, NEW_YORK, BERLIN = "Asia/Seoul", "America/New_York", "Europe/Berlin"


def at(zone: str, *parts: int, fold: int = 0) -> float:
    """A local wall time in `zone` as UTC seconds."""
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold).timestamp()  # type: ignore[misc]


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()  # type: ignore[misc]


def policy(ack: Deadline, act: Deadline, zone: str, **kw: object) -> SlaPolicy:
    return SlaPolicy("custom", ack=ack, act=act, zone=zone, **kw)  # type: ignore[arg-type]


def test_kcsc_24h_across_midnight_kst() -> None:
    sent = at(SEOUL, 2025, 3, 10, 20, 0)  # 11:00 UTC, 20:00 KST
    due = NAMED["kcsc_24h"].due_times(sent)
    assert due.ack_due_at == at(SEOUL, 2025, 3, 10, 21, 0)
    assert due.act_due_at == at(SEOUL, 2025, 3, 11, 20, 0) == utc(2025, 3, 11, 11, 0)
    assert due.escalate_at == due.act_due_at


def test_take_it_down_is_48_real_hours_even_across_spring_forward() -> None:
    sent = at(NEW_YORK, 2025, 3, 8, 12, 0)  # Saturday noon EST; clocks jump on Sunday 02:00
    due = NAMED["take_it_down_48h"].due_times(sent)
    assert due.act_due_at - sent == 48 * HOUR
    # ... which reads 13:00 on the local clock (EDT), not 12:00
    assert due.act_due_at == at(NEW_YORK, 2025, 3, 10, 13, 0)
    assert due.ack_due_at == due.act_due_at  # the Act sets no separate acknowledgement clock


@pytest.mark.parametrize(
    ("zone", "sent_local", "real_hours"),
    [
        (NEW_YORK, (2025, 3, 8, 12, 0), 23),  # spring forward: the local day is 23 h
        (NEW_YORK, (2025, 11, 1, 12, 0), 25),  # fall back: 25 h
        (BERLIN, (2025, 3, 29, 12, 0), 23),
        (BERLIN, (2025, 10, 25, 12, 0), 25),
        (SEOUL, (2025, 3, 8, 12, 0), 24),  # Korea has no DST
    ],
)
def test_wall_clock_day_follows_local_time_across_dst(
    zone: str, sent_local: tuple[int, ...], real_hours: int
) -> None:
    sent = at(zone, *sent_local)
    day = Deadline(Rule.WALL_CLOCK, seconds=24 * HOUR)
    due = policy(day, day, zone).due(day, sent)
    y, m, d, hh, mm = sent_local
    assert due == at(zone, y, m, d + 1, hh, mm)
    assert due - sent == real_hours * HOUR


def test_local_times_in_a_gap_or_fold_resolve_to_the_later_instant() -> None:
    ny = ZoneInfo(NEW_YORK)
    # 02:30 does not exist on 2025-03-09: it means 03:30 EDT
    assert local_to_utc(datetime(2025, 3, 9, 2, 30), ny) == utc(2025, 3, 9, 7, 30)
    # 01:30 happens twice on 2025-11-02: the deadline is the second one (EST)
    assert local_to_utc(datetime(2025, 11, 2, 1, 30), ny) == utc(2025, 11, 2, 6, 30)
    day = Deadline(Rule.WALL_CLOCK, seconds=24 * HOUR)
    sent = at(NEW_YORK, 2025, 11, 1, 1, 30)  # EDT
    assert policy(day, day, NEW_YORK).due(day, sent) - sent == 25 * HOUR


def test_end_of_day_uses_the_local_date_not_the_utc_date() -> None:
    next_day = Deadline(Rule.END_OF_DAY, days=1)
    seoul = policy(next_day, next_day, SEOUL)
    late_evening = at(SEOUL, 2025, 3, 10, 23, 30)  # still 10 March in Seoul, 14:30 UTC
    just_after_midnight = at(SEOUL, 2025, 3, 11, 0, 30)  # 11 March in Seoul, 10 March in UTC
    assert seoul.due(next_day, late_evening) == at(SEOUL, 2025, 3, 12, 0, 0)
    assert seoul.due(next_day, just_after_midnight) == at(SEOUL, 2025, 3, 13, 0, 0)
    assert seoul.due(next_day, just_after_midnight) == utc(2025, 3, 12, 15, 0)


def test_end_of_a_23_hour_day_in_berlin() -> None:
    today = Deadline(Rule.END_OF_DAY, days=0)
    berlin = policy(today, today, BERLIN)
    sent = at(BERLIN, 2025, 3, 30, 1, 0)  # 00:00 UTC; at 02:00 the clocks jump to 03:00
    assert berlin.due(today, sent) == utc(2025, 3, 30, 22, 0)  # midnight CEST
    assert berlin.due(today, sent) - sent == 22 * HOUR


def test_end_of_next_business_day_in_seoul() -> None:
    rule = Deadline(Rule.BUSINESS_DAYS, days=1)
    seoul = policy(rule, rule, SEOUL, day_end_hour=18)
    friday = at(SEOUL, 2025, 3, 14, 17, 0)
    assert seoul.due(rule, friday) == at(SEOUL, 2025, 3, 17, 18, 0)  # Monday 18:00
    monday = at(SEOUL, 2025, 3, 17, 9, 0)
    assert seoul.due(rule, monday) == at(SEOUL, 2025, 3, 18, 18, 0)
    # received on a Saturday counts as received on Monday: next business day is Tuesday
    saturday = at(SEOUL, 2025, 3, 15, 11, 0)
    assert seoul.due(rule, saturday) == at(SEOUL, 2025, 3, 18, 18, 0)
    with_holiday = policy(
        rule, rule, SEOUL, day_end_hour=18, holidays=frozenset({date(2025, 3, 17)})
    )
    assert with_holiday.due(rule, friday) == at(SEOUL, 2025, 3, 18, 18, 0)


def test_business_day_deadline_across_new_york_dst() -> None:
    rule = Deadline(Rule.BUSINESS_DAYS, days=1)
    ny = policy(rule, rule, NEW_YORK)
    friday = at(NEW_YORK, 2025, 3, 7, 15, 0)  # EST
    due = ny.due(rule, friday)
    assert due == at(NEW_YORK, 2025, 3, 11, 0, 0) == utc(2025, 3, 11, 4, 0)  # midnight EDT


def test_acknowledgement_never_due_after_action_and_escalation_grace() -> None:
    p = SlaPolicy.from_dict(
        {
            "ack": {"rule": "elapsed", "hours": 48},
            "act": {"rule": "elapsed", "hours": 24},
            "escalate_after_hours": 2,
        }
    )
    due = p.due_times(1_000_000.0)
    assert due.ack_due_at == due.act_due_at == 1_000_000.0 + 24 * HOUR
    assert due.escalate_at == due.act_due_at + 2 * HOUR


def test_custom_policy_round_trips_through_json() -> None:
    raw = {
        "ack": {"rule": "wall_clock", "hours": 1.5},
        "act": {"rule": "business_days", "days": 1},
        "zone": SEOUL,
        "day_end_hour": 18,
        "holidays": ["2025-10-03"],
    }
    p = SlaPolicy.from_dict(raw)
    again = SlaPolicy.from_dict(p.to_dict(), name=p.name)
    assert again == p
    assert p.ack.seconds == 5400


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {},
        {"act": {"rule": "fortnightly", "days": 1}},
        {"act": {"rule": "elapsed"}},
        {"act": {"rule": "elapsed", "hours": 0}},
        {"act": {"rule": "elapsed", "hours": 24 * 365}},
        {"act": {"rule": "end_of_day", "days": -1}},
        {"act": {"rule": "elapsed", "hours": 24}, "zone": "Mars/Olympus"},
        {"act": {"rule": "elapsed", "hours": 24}, "day_end_hour": 25},
        {"act": {"rule": "elapsed", "hours": 24}, "holidays": ["not a date"]},
        {"act": {"rule": "elapsed", "hours": "soon"}},
    ],
)
def test_bad_custom_policies_are_invalid_input(raw: object) -> None:
    with pytest.raises(InvalidInput):
        resolve_policy("custom", raw)


def test_named_policies_and_unknown_names() -> None:
    assert resolve_policy("kcsc_24h").act.seconds == 24 * HOUR
    assert resolve_policy("kcsc_24h").ack.seconds == HOUR
    with pytest.raises(InvalidInput, match="must be one of"):
        resolve_policy("asap")
    with pytest.raises(InvalidInput, match="custom"):
        resolve_policy("kcsc_24h", {"act": {"rule": "elapsed", "hours": 1}})
