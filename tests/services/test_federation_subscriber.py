"""Subscriber side: trust modes, retractions, review, flood control, checkpoints, feedback, tenancy.

A scripted source stands in for the transport (the two-instance test drives the real one)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from haechi.bootstrap import Container
from haechi.domain.errors import FetchFailed, InvalidInput, NotFound
from haechi.domain.federation import ImportState, SourceKind
from haechi.domain.tenancy import Principal, Role
from haechi.services.federation_poll import PollService
from haechi.services.federation_sources import SourceInput
from haechi.services.ports_federation import Credentials, RemotePage
from tests.fixtures.exchange import ScriptedClient, ScriptedSource, add, md5, retract

BANK = "FROM_PEER"


def admin(c: Container, org: str = "PLATFORM") -> Principal:
    return Principal.of(c.auth.org(org), frozenset({Role.ADMIN}), label="test")


@pytest.fixture
def script() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def poller(container: Container, script: ScriptedSource) -> PollService:
    container.auth.create_org("PLATFORM", "platform")
    container.auth.create_org("OTHER", "platform")
    container.banks.create_bank(BANK)
    return PollService(
        uow_factory=container.uow,
        banks=container.banks,
        sources=container.federation.sources,
        clients={SourceKind.HAECHI: ScriptedClient(script)},
        default_flood_per_hour=1000,
    )


def subscribe(c: Container, trust: str, **extra: object) -> None:
    spec = SourceInput(
        name="peer", kind="haechi", url="https://peer.example", bank=BANK, trust_mode=trust,
        token="s3cret-token", **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    c.federation.sources.add(admin(c), spec)


def matches(c: Container, n: int) -> bool:
    return bool(c.matcher.query("md5", md5(n)))


def test_auto_trust_matches_at_once_and_a_retraction_stops_it(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "auto")
    script.pages = [RemotePage([add(1), add(2)], "hx1.2", more=False)]
    report = poller.poll("peer")
    assert (report.added, report.pages, report.checkpoint) == (2, 1, "hx1.2")
    assert matches(container, 1) and matches(container, 2)
    assert script.seen_tokens == ["s3cret-token"]  # opened from its sealed form for the poll

    script.pages.append(RemotePage([retract(1), retract(99)], "hx1.3", more=False))
    report = poller.poll("peer")
    assert report.retracted == 1  # an id never received is ignored
    assert script.seen_checkpoints[-1] == "hx1.2"  # resumed after the stored checkpoint
    assert not matches(container, 1) and matches(container, 2)
    with container.uow() as uow:
        content = uow.federation.imports(source_id=None, state=ImportState.RETRACTED, limit=5)
        assert [i.remote_id for i in content] == ["1"]
        item = uow.banks.get_contents([content[0].content_id or 0])[0]
    assert item.withdrawn and item.metadata == {"exchange": "peer", "remote_id": "1"}


def test_review_trust_holds_hashes_until_approved_or_rejected(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "review")
    script.pages = [RemotePage([add(1), add(2), add(3)], "hx1.3", more=False)]
    assert poller.poll("peer").pending == 3
    assert not any(matches(container, n) for n in (1, 2, 3))
    held = container.federation.sources.held(admin(container))
    assert [(r.remote_id, r.quarantined, name) for r, name in held] == [
        ("1", False, "peer"),
        ("2", False, "peer"),
        ("3", False, "peer"),
    ]
    ids = [r.id for r, _ in held]
    assert container.federation.sources.decide(admin(container), ids[:2], approve=True) == 2
    assert container.federation.sources.decide(admin(container), ids[2:], approve=False) == 1
    assert matches(container, 1) and matches(container, 2) and not matches(container, 3)
    assert container.federation.sources.held(admin(container)) == []
    # another organisation can neither see nor decide them
    assert container.federation.sources.held(admin(container, "OTHER")) == []
    assert container.federation.sources.decide(admin(container, "OTHER"), ids, approve=False) == 0


def test_notify_trust_records_without_matching(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "notify")
    script.pages = [RemotePage([add(1)], "hx1.1", more=False)]
    assert poller.poll("peer").notified == 1
    assert not matches(container, 1)
    with container.uow() as uow:
        [item] = uow.federation.imports(source_id=None, state=ImportState.NOTIFIED, limit=5)
        assert item.content_id is None and item.signals == {"md5": md5(1)}
        assert uow.banks.count_content(uow.banks.get_bank(BANK).id) == 0  # type: ignore[union-attr]


def test_a_burst_above_the_flood_limit_is_quarantined_audited_and_approvable(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "auto", flood_per_hour=3)
    script.pages = [
        RemotePage([add(n) for n in range(1, 6)], "hx1.5", more=True),
        RemotePage([add(n) for n in range(6, 11)], "hx1.10", more=False),
    ]
    report = poller.poll("peer")
    assert (report.added, report.quarantined) == (3, 7)
    assert [n for n in range(1, 11) if matches(container, n)] == [1, 2, 3]
    held = container.federation.sources.held(admin(container))
    assert len(held) == 7 and all(r.quarantined for r, _ in held)
    with container.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=500)]
    assert actions.count("exchange.flood") == 2  # once per page that overflowed
    approved = container.federation.sources.decide(
        admin(container), [r.id for r, _ in held], approve=True
    )
    assert approved == 7
    assert all(matches(container, n) for n in range(1, 11))
    # approved hashes do not count against the limit: the next burst is judged on its own
    script.pages.append(RemotePage([add(11)], "hx1.11", more=False))
    assert poller.poll("peer").quarantined == 1  # 3 went live automatically this hour


def test_a_failed_poll_resumes_after_the_last_page_applied(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "auto")
    script.pages = [
        RemotePage([add(1)], "hx1.1", more=True),
        RemotePage([add(2)], "hx1.2", more=False),
    ]
    script.fail_after = 1
    with pytest.raises(FetchFailed):
        poller.poll("peer")
    source = container.federation.sources.get(admin(container), "peer")
    assert (source.checkpoint, source.last_error) == ("hx1.1", "connection dropped")
    assert matches(container, 1) and not matches(container, 2)
    script.fail_after = None
    report = poller.poll("peer")
    assert script.seen_checkpoints[-1] == "hx1.1"
    assert (report.added, report.skipped) == (1, 0)
    assert container.federation.sources.get(admin(container), "peer").last_error is None


def test_feedback_is_queued_sent_at_the_next_poll_and_checked(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "auto")
    script.pages = [RemotePage([add(1)], "hx1.1", more=False)]
    poller.poll("peer")
    with container.uow() as uow:
        [item] = uow.federation.imports(source_id=None, state=None, limit=5)
    sources = container.federation.sources
    sources.feedback(admin(container), item.id, "blocked")
    with pytest.raises(InvalidInput):
        sources.feedback(admin(container), item.id, "maybe")
    with pytest.raises(NotFound):
        sources.feedback(admin(container, "OTHER"), item.id, "blocked")
    poller.poll("peer")
    assert script.feedback == [("1", "blocked")]
    poller.poll("peer")
    assert script.feedback == [("1", "blocked")]  # sent once


def test_tokens_are_sealed_at_rest_and_sources_are_validated(
    container: Container, poller: PollService
) -> None:
    subscribe(container, "auto")
    with container.engine.connect() as conn:
        stored = conn.execute(text("select token_sealed from exchange_source")).scalar_one()
    assert "s3cret-token" not in stored
    bad: list[dict[str, object]] = [
        {"trust_mode": "always"},
        {"kind": "carrier-pigeon"},
        {"name": "Bad Name"},
        {"url": "ftp://peer"},
        {"poll_interval_s": 0.1},
        {"token_env": "PEER_TOKEN"},  # with a token as well
    ]
    for change in bad:
        values: dict[str, object] = {
            "name": "other", "kind": "haechi", "url": "https://x.example", "bank": BANK,
            "trust_mode": "auto", "token": "t",
        } | change  # fmt: skip
        with pytest.raises(InvalidInput):
            container.federation.sources.add(admin(container), SourceInput(**values))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        container.federation.sources.add(
            admin(container), SourceInput(name="x", kind="haechi", url="https://x", bank="NOPE")
        )


def test_an_unexpected_error_is_recorded_and_the_source_waits_for_its_interval(
    container: Container, poller: PollService, script: ScriptedSource
) -> None:
    subscribe(container, "auto")

    class Broken(ScriptedClient):
        def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
            raise ValueError("unparseable answer")

    broken = PollService(
        uow_factory=container.uow, banks=container.banks, sources=container.federation.sources,
        clients={SourceKind.HAECHI: Broken(script)}, default_flood_per_hour=10,
    )  # fmt: skip
    before = time.time()
    with pytest.raises(ValueError):
        broken.poll("peer")
    source = container.federation.sources.get(admin(container), "peer")
    assert source.last_error == "ValueError: unparseable answer"
    assert source.next_poll_at >= before + source.poll_interval_s
    with container.uow() as uow:
        assert uow.federation.due_sources(time.time(), 10) == []
    poller.poll("peer")  # the lease was released: the next poll runs
