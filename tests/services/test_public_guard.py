"""Abuse controls of the public victim endpoints: budgets per source, sources never stored raw."""

from __future__ import annotations

import pytest

from haechi.adapters.limits import InMemoryRateCounter
from haechi.domain.errors import RateLimited
from haechi.services.public_guard import DAY, HOUR, PublicGuard, PublicLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def guard(clock: Clock, **limits: int) -> tuple[PublicGuard, InMemoryRateCounter]:
    counter = InMemoryRateCounter()
    chosen = PublicLimits(**({"reports_per_hour": 3, "pictures_per_day": 10} | limits))
    return PublicGuard(counter=counter, limits=chosen, clock=clock, key=b"k" * 32), counter


def test_reports_per_hour_per_source() -> None:
    clock = Clock()
    g, _ = guard(clock)
    for _ in range(3):
        g.admit_report("203.0.113.7", 1)
    with pytest.raises(RateLimited):
        g.admit_report("203.0.113.7", 1)
    g.admit_report("203.0.113.8", 1)  # another source has its own budget
    clock.now += HOUR
    g.admit_report("203.0.113.7", 1)


def test_many_pictures_from_one_source_are_refused_and_counted_only_when_admitted() -> None:
    clock = Clock()
    g, counter = guard(clock, reports_per_hour=100)
    g.admit_report("198.51.100.1", 8)
    with pytest.raises(RateLimited, match="victim-support centre"):
        g.admit_report("198.51.100.1", 3)
    g.admit_report("198.51.100.1", 2)  # the refused report spent nothing
    with pytest.raises(RateLimited):
        g.admit_report("198.51.100.1", 1)
    clock.now += DAY
    g.admit_report("198.51.100.1", 10)
    assert all("198.51.100.1" not in key for key in counter._events)


def test_a_refused_report_does_not_spend_the_picture_budget() -> None:
    clock = Clock()
    g, _ = guard(clock, reports_per_hour=1, pictures_per_day=10)
    g.admit_report("192.0.2.1", 1)
    with pytest.raises(RateLimited, match="too many reports"):
        g.admit_report("192.0.2.1", 5)
    clock.now += HOUR
    g.admit_report("192.0.2.1", 9)


def test_checks_per_hour() -> None:
    clock = Clock()
    g, _ = guard(clock, checks_per_hour=2)
    g.admit_check("192.0.2.1")
    g.admit_check("192.0.2.1")
    with pytest.raises(RateLimited):
        g.admit_check("192.0.2.1")


def test_an_ipv6_subscriber_network_is_one_source() -> None:
    clock = Clock()
    g, _ = guard(clock, reports_per_hour=1)
    g.admit_report("2001:db8:1:2::1", 1)
    with pytest.raises(RateLimited):
        g.admit_report("2001:db8:1:2:ffff::9", 1)  # same /64
    g.admit_report("2001:db8:1:3::1", 1)  # another /64
    assert g.source("::ffff:192.0.2.1") == g.source("192.0.2.1")
    assert g.source(None) == g.source("not an address")
    assert g.source("192.0.2.1") != g.source("192.0.2.2")


def test_sources_are_keyed_hashes() -> None:
    clock = Clock()
    a = PublicGuard(counter=InMemoryRateCounter(), limits=PublicLimits(), clock=clock)
    b = PublicGuard(counter=InMemoryRateCounter(), limits=PublicLimits(), clock=clock)
    assert a.source("192.0.2.1") != b.source("192.0.2.1"), "a fresh key per process"
    assert "192.0.2.1" not in a.source("192.0.2.1")


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PublicLimits(reports_per_hour=0)


def test_past_the_bulk_threshold_reports_are_marked_not_refused() -> None:
    clock = Clock()
    g, _ = guard(clock, reports_per_hour=100, pictures_per_day=10, bulk_pictures_per_day=4)
    assert g.admit_report("203.0.113.7", 4) is False  # at the threshold: not yet bulk
    assert g.admit_report("203.0.113.7", 1) is True
    assert g.admit_report("203.0.113.8", 1) is False  # another source is not marked
    clock.now += DAY
    assert g.admit_report("203.0.113.7", 1) is False  # a new day starts clean
    with pytest.raises(ValueError):
        PublicLimits(bulk_pictures_per_day=0)
