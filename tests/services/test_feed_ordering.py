"""A replica's matcher loses no change whose transaction commits after a later one was read.

On PostgreSQL change-feed numbers come from a sequence when a row is written, so two concurrent
writers can commit out of order. These tests hold one transaction open while another commits, as
two API replicas would, and watch a second matcher (another replica) read the feed in between.
"""

from __future__ import annotations

import time

import pytest

from haechi.bootstrap import Container, parts
from haechi.services.matching import Matcher
from haechi.services.ports import NewContent

pytestmark = pytest.mark.postgres

SLOW = "0" * 63 + "1"  # committed last, numbered first
FAST = "f" * 63 + "e"


def replica(c: Container, *, gap_wait_s: float = 300.0) -> Matcher:
    m = Matcher(
        registry=c.registry,
        index_factory=parts.make_index,
        uow_factory=c.uow,
        gap_wait_s=gap_wait_s,
    )
    m.load()
    return m


def banks_in(m: Matcher, value: str) -> list[str]:
    return [h.bank_name for h in m.query("pdq", value)]


def test_a_late_commit_with_a_lower_number_is_still_applied(container: Container) -> None:
    container.banks.create_bank("B")
    other = replica(container)
    slow = container.uow()
    uow = slow.__enter__()
    try:
        bank = uow.banks.get_bank("B")
        assert bank is not None
        uow.banks.add_content(bank, NewContent(signals={"pdq": SLOW}))  # takes the next number
        container.banks.add_content("B", NewContent(signals={"pdq": FAST}))  # commits first
        other.refresh()
        assert banks_in(other, FAST) == ["B"]
        assert banks_in(other, SLOW) == []
    except BaseException:
        slow.__exit__(RuntimeError, RuntimeError(), None)
        raise
    slow.__exit__(None, None, None)  # the slow writer commits now
    assert other.refresh() == 1
    assert banks_in(other, SLOW) == ["B"]


def test_a_replica_starting_while_a_writer_is_open_sees_its_commit(container: Container) -> None:
    container.banks.create_bank("B")
    slow = container.uow()
    uow = slow.__enter__()
    bank = uow.banks.get_bank("B")
    assert bank is not None
    uow.banks.add_content(bank, NewContent(signals={"pdq": SLOW}))
    container.banks.add_content("B", NewContent(signals={"pdq": FAST}))
    starting = replica(container)  # loads the database while the slow writer is open
    assert banks_in(starting, SLOW) == []
    slow.__exit__(None, None, None)
    starting.refresh()
    assert banks_in(starting, SLOW) == ["B"] and banks_in(starting, FAST) == ["B"]


def test_a_rolled_back_number_is_given_up_after_the_wait(container: Container) -> None:
    container.banks.create_bank("B")
    other = replica(container, gap_wait_s=0.2)
    doomed = container.uow()
    uow = doomed.__enter__()
    bank = uow.banks.get_bank("B")
    assert bank is not None
    uow.banks.add_content(bank, NewContent(signals={"pdq": SLOW}))
    container.banks.add_content("B", NewContent(signals={"pdq": FAST}))
    doomed.__exit__(RuntimeError, RuntimeError("rolled back"), None)
    other.refresh()
    assert banks_in(other, FAST) == ["B"]
    assert other._feed.cursor.pending() != []  # waiting: it may still commit
    time.sleep(0.3)
    other.refresh()
    assert other._feed.cursor.pending() == []
    assert banks_in(other, SLOW) == []
