"""The federation feed loses no add or retraction whose transaction commits after a later one.

On PostgreSQL change-feed numbers come from a sequence when a row is written, so two writers can
commit out of order. These tests hold one transaction open (a lower number) while another commits
(a higher one), translate the feed in between, then let the slow writer commit or roll back. The
publisher's cursor and its open gaps are kept in the database, so the publisher that picks up the
late commit may be another process (here: a second `PublisherService`, as after a restart).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from haechi.bootstrap import Container
from haechi.domain.tenancy import Principal, Role
from haechi.services import feed_reader
from haechi.services.federation_publish import PublisherService
from haechi.services.ports import NewContent, UnitOfWork

pytestmark = pytest.mark.postgres

BANK = "NATIONAL"
SLOW = "0" * 31 + "1"  # written first (the lower number), committed last
FAST = "f" * 31 + "e"


@pytest.fixture
def c(container: Container) -> Container:
    container.auth.create_org("KCSC", "regulator")
    container.auth.create_org("SUB", "platform")
    container.banks.create_bank(BANK)
    regulator = Principal.of(container.auth.org("KCSC"), frozenset({Role.ANALYST}), label="t")
    container.federation.publisher.grant(regulator, org_name="SUB", bank_name=BANK)
    return container


def feed(c: Container, publisher: PublisherService) -> list[tuple[str, str]]:
    sub = Principal.of(c.auth.org("SUB"), frozenset({Role.PLATFORM_AGENT}), label="t")
    page = publisher.feed(sub, since=None)
    return [(e.op.value, e.signals["md5"]) for e, _ in page.entries]


def stored_gaps(c: Container) -> dict[int, float]:
    with c.uow() as uow:
        return uow.federation.publish_cursor()[1]


@contextmanager
def slow_writer(c: Container, *, commit: bool = True) -> Iterator[UnitOfWork]:
    """A transaction left open by the caller; commits (or rolls back) when the block ends."""
    slow = c.uow()
    uow = slow.__enter__()
    try:
        yield uow
    except BaseException as exc:
        slow.__exit__(type(exc), exc, exc.__traceback__)
        raise
    if commit:
        slow.__exit__(None, None, None)
    else:
        slow.__exit__(RuntimeError, RuntimeError("rolled back"), None)


def add_slowly(uow: UnitOfWork) -> None:
    bank = uow.banks.get_bank(BANK)
    assert bank is not None
    uow.banks.add_content(bank, NewContent(signals={"md5": SLOW}))  # takes the next number


def new_publisher(c: Container, gap_wait_s: float = 300.0) -> PublisherService:
    return PublisherService(uow_factory=c.uow, signer=None, gap_wait_s=gap_wait_s)


def test_a_late_add_reaches_the_feed(c: Container) -> None:
    publisher = c.federation.publisher
    with slow_writer(c) as uow:
        add_slowly(uow)
        c.banks.add_content(BANK, NewContent(signals={"md5": FAST}))  # commits first
        assert publisher.sync() == 1
        assert feed(c, publisher) == [("add", FAST)]
        assert len(stored_gaps(c)) == 1  # the open number is remembered in the database
    assert publisher.sync() == 1
    assert feed(c, publisher) == [("add", FAST), ("add", SLOW)]
    assert stored_gaps(c) == {}


def test_another_process_publishes_a_late_commit_the_first_one_waited_for(c: Container) -> None:
    with slow_writer(c) as uow:
        add_slowly(uow)
        c.banks.add_content(BANK, NewContent(signals={"md5": FAST}))
        assert c.federation.publisher.sync() == 1
    restarted = new_publisher(c)  # knows only what the database holds
    assert restarted.sync() == 1
    assert feed(c, restarted) == [("add", FAST), ("add", SLOW)]
    assert c.federation.publisher.sync() == 0  # nothing is translated twice


def test_a_late_withdrawal_reaches_the_feed_as_a_retraction(c: Container) -> None:
    first = c.banks.add_content(BANK, NewContent(signals={"md5": SLOW}))
    publisher = c.federation.publisher
    publisher.sync()
    with slow_writer(c) as uow:
        (content,) = uow.banks.get_contents([first.id])
        uow.banks.update_content(dataclasses.replace(content, withdrawn=True))
        uow.banks.get_contents([first.id])  # flushes: the change row takes its number now
        c.banks.add_content(BANK, NewContent(signals={"md5": FAST}))
        publisher.sync()
        assert feed(c, publisher) == [("add", SLOW), ("add", FAST)]
        assert len(stored_gaps(c)) == 1
    assert new_publisher(c).sync() == 1
    assert feed(c, publisher) == [("add", SLOW), ("add", FAST), ("retract", SLOW)]


def test_a_rolled_back_number_is_given_up_after_the_wait_even_across_restarts(
    c: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [time.time()]
    monkeypatch.setattr(feed_reader, "time", SimpleNamespace(time=lambda: clock[0]))
    with slow_writer(c, commit=False) as uow:
        add_slowly(uow)
        c.banks.add_content(BANK, NewContent(signals={"md5": FAST}))

    def publisher() -> PublisherService:
        return new_publisher(c, gap_wait_s=60)

    assert publisher().sync() == 1
    noticed = stored_gaps(c)
    assert list(noticed.values()) == [clock[0]]
    clock[0] += 59
    publisher().sync()  # a restart keeps the time the gap was first noticed
    assert stored_gaps(c) == noticed
    clock[0] += 2
    publisher().sync()
    assert stored_gaps(c) == {}
    assert feed(c, publisher()) == [("add", FAST)]
