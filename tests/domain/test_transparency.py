"""Pure parts of transparency reports: the period, bins, decision counting, who may ask."""

from __future__ import annotations

import pytest

from haechi.domain.errors import Forbidden, InvalidInput
from haechi.domain.tenancy import Organisation, OrgKind, Principal, Role
from haechi.domain.transparency import (
    HOUR,
    DecisionFact,
    Period,
    ScorecardRow,
    Times,
    act_histogram,
    check_may_report,
    common_window,
    counts,
    decision_section,
    short_duration,
)


def test_period_is_half_open_utc_days() -> None:
    october = Period.parse("2026-10-01", "2026-11-01")
    assert october.holds(october.start_ts) and not october.holds(october.end_ts)
    assert october.end_ts - october.start_ts == 31 * 24 * HOUR
    assert october.last_day.isoformat() == "2026-10-31"
    for start, end in (("2026-10-01", "2026-10-01"), ("2026-13-01", "2026-14-01"), (None, "x")):
        with pytest.raises(InvalidInput):
            Period.parse(start, end)
    with pytest.raises(InvalidInput, match="at most"):
        Period.parse("2025-01-01", "2026-03-01")


def test_act_histogram_bins_are_half_open() -> None:
    bins = dict(act_histogram([h * HOUR for h in (0.0, 0.99, 1.0, 5.99, 24.0, 71.9, 72.0, 500)]))
    assert bins == {
        "< 1 h": 2, "1-6 h": 2, "6-12 h": 0, "12-24 h": 0,
        "24-48 h": 1, "48-72 h": 1, "≥ 72 h": 2,
    }  # fmt: skip


def test_decisions_without_a_statement_count_as_not_illegal_or_escalated() -> None:
    part = "AUTOMATED_DECISION_PARTIALLY"
    section = decision_section(
        [
            DecisionFact(
                "confirm_illegal", 0, "DECISION_GROUND_ILLEGAL_CONTENT", "C", "S", "Yes", part
            ),
            DecisionFact("not_illegal", 0),
            DecisionFact("escalate", 0),
        ]
    )  # fmt: skip
    assert section.by_ground == {
        "DECISION_GROUND_ILLEGAL_CONTENT": 1, "ESCALATED": 1, "NOT_ILLEGAL": 1,
    }  # fmt: skip
    assert (section.automated, section.human, section.total) == (1, 2, 3)
    assert section.automated_detection == {"Yes": 1}


def test_counts_list_known_keys_first_even_at_zero() -> None:
    assert counts(["b", "x", "b"], ["a", "b"]) == {"a": 0, "b": 2, "x": 1}


def test_scorecard_headline() -> None:
    times = Times(0, None, None)
    row = ScorecardRow("Platform X", ("kcsc_24h",), 24 * HOUR, 148, 148, 0, 0, 148, 148,
                       36 * HOUR + 59 * 60, times, times)  # fmt: skip
    assert row.headline == "Platform X: 148 of 148 within 24 h, slowest 36 h"
    mixed = ScorecardRow("Y", ("a", "b"), None, 2, 1, 1, 0, 2, 2, 1800.0, times, times)
    assert mixed.headline == "Y: 1 of 2 within the SLA, slowest 30 min"
    assert common_window([24 * HOUR, 24 * HOUR + 1]) == 24 * HOUR
    assert common_window([24 * HOUR, 48 * HOUR]) is None
    assert short_duration(59.0) == "0 min"


def test_who_may_report() -> None:
    kcsc = Organisation(1, "KCSC", OrgKind.REGULATOR)
    telegram = Organisation(2, "Telegram", OrgKind.PLATFORM)

    def who(org: Organisation, role: Role) -> Principal:
        return Principal.of(org, frozenset({role}))

    check_may_report(who(kcsc, Role.ANALYST), 2)
    check_may_report(who(telegram, Role.AUDITOR), 2)
    for principal, target in (
        (who(kcsc, Role.AUDITOR), 2),
        (who(kcsc, Role.MODERATOR), 1),
        (who(telegram, Role.ADMIN), 1),
        (who(telegram, Role.PLATFORM_AGENT), 2),
    ):
        with pytest.raises(Forbidden):
            check_may_report(principal, target)
