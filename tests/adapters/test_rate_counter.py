"""The in-memory sliding-window rate counter behind the public endpoints' limits."""

from __future__ import annotations

import threading

import pytest

from haechi.adapters.limits import InMemoryRateCounter


def test_takes_until_the_limit_and_records_nothing_when_refused() -> None:
    counter = InMemoryRateCounter()
    assert counter.take("a", 3, limit=5, window_s=60, now=0)
    assert counter.take("a", 2, limit=5, window_s=60, now=1)
    assert not counter.take("a", 1, limit=5, window_s=60, now=2)
    assert counter.used("a", window_s=60, now=2) == 5
    assert counter.used("b", window_s=60, now=2) == 0
    assert len(counter) == 1, "asking about a key does not start tracking it"


def test_the_window_slides() -> None:
    counter = InMemoryRateCounter()
    counter.take("a", 4, limit=5, window_s=60, now=0)
    counter.take("a", 1, limit=5, window_s=60, now=30)
    assert not counter.take("a", 1, limit=5, window_s=60, now=59)
    assert counter.take("a", 4, limit=5, window_s=60, now=60), "the first 4 left the window"
    assert counter.used("a", window_s=60, now=90) == 4


def test_an_amount_over_the_limit_is_refused_outright() -> None:
    counter = InMemoryRateCounter()
    assert not counter.take("a", 6, limit=5, window_s=60, now=0)
    assert counter.take("a", 0, limit=5, window_s=60, now=0)
    with pytest.raises(ValueError):
        counter.take("a", -1, limit=5, window_s=60, now=0)


def test_keys_are_independent_and_bounded() -> None:
    counter = InMemoryRateCounter(max_keys=3)
    for key in "abcd":
        assert counter.take(key, 1, limit=1, window_s=60, now=0)
    assert len(counter) == 3
    assert counter.used("a", window_s=60, now=0) == 0, "the least recently used key went first"
    assert not counter.take("d", 1, limit=1, window_s=60, now=0)
    with pytest.raises(ValueError):
        InMemoryRateCounter(max_keys=0)


def test_concurrent_takes_never_exceed_the_limit() -> None:
    counter = InMemoryRateCounter()
    taken: list[bool] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(50):
            taken.append(counter.take("k", 1, limit=100, window_s=60, now=0))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken.count(True) == 100
    assert counter.used("k", window_s=60, now=0) == 100
