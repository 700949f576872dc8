"""Takedown notices through the real store: clocks, outcomes, tenancy and the audit trail."""

from __future__ import annotations

import pytest

from haechi.bootstrap import Container
from haechi.domain.errors import Forbidden, InvalidInput, InvalidSignal, NotFound
from haechi.domain.notices import ItemKind, ItemOutcome, NewItem, NoticeDraft, Outcome, Stage
from haechi.domain.sla import HOUR, resolve_policy
from haechi.domain.tenancy import Principal, Role
from haechi.services.notices import NoticeService
from tests.fixtures.notices import T0, FakeClock, Tenants, draft, seed, services


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(container: Container) -> Tenants:
    return seed(container)


@pytest.fixture
def notices(container: Container, clock: FakeClock) -> NoticeService:
    return services(container, clock)[0]


def audit_actions(container: Container) -> list[tuple[str, int | None]]:
    with container.uow() as uow:
        return [(e.action, e.org_id) for e in uow.audit.entries(after_seq=0, limit=1000)]


def test_clocks_run_received_acknowledged_acted(
    notices: NoticeService, world: Tenants, clock: FakeClock
) -> None:
    sent = notices.send(world.regulator, draft(urls=2))
    assert sent.stage is Stage.RECEIVED
    assert (sent.sent_at, sent.ack_due_at, sent.act_due_at) == (T0, T0 + HOUR, T0 + 24 * HOUR)
    assert not sent.ack_clock.overdue(T0 + HOUR) and sent.ack_clock.overdue(T0 + HOUR + 1)

    clock.at(T0 + 2 * HOUR)
    acked = notices.acknowledge(world.agent, sent.id)
    assert acked.stage is Stage.ACKNOWLEDGED and acked.ack_clock.late
    assert notices.acknowledge(world.agent, sent.id).acknowledged_at == T0 + 2 * HOUR  # idempotent

    first, second = (i.id for i in sent.items)
    clock.at(T0 + 5 * HOUR)
    partly = notices.report_outcomes(world.agent, sent.id, [ItemOutcome(first, Outcome.REMOVED)])
    assert partly.stage is Stage.ACKNOWLEDGED and partly.acted_at is None
    assert partly.act_clock.overdue(T0 + 25 * HOUR) and partly.needs_escalation(T0 + 25 * HOUR)

    clock.at(T0 + 30 * HOUR)
    done = notices.report_outcomes(
        world.agent, sent.id, [ItemOutcome(second, Outcome.REFUSED, "not illegal in our view")]
    )
    assert done.stage is Stage.ACTED and done.acted_at == T0 + 30 * HOUR
    assert done.act_clock.late and not done.needs_escalation(T0 + 100 * HOUR)
    assert done.item(second).reason == "not illegal in our view"  # type: ignore[union-attr]

    # a refusal reconsidered: the outcome changes, the act clock stays stopped where it stopped
    clock.at(T0 + 40 * HOUR)
    revised = notices.report_outcomes(world.agent, sent.id, [ItemOutcome(second, Outcome.REMOVED)])
    assert revised.acted_at == T0 + 30 * HOUR and revised.count(Outcome.REMOVED) == 2


def test_outcomes_acknowledge_implicitly(
    notices: NoticeService, world: Tenants, clock: FakeClock
) -> None:
    sent = notices.send(world.regulator, draft())
    clock.at(T0 + 600)
    done = notices.report_outcomes(
        world.agent, sent.id, [ItemOutcome(sent.items[0].id, Outcome.GEO_BLOCKED)]
    )
    assert done.acknowledged_at == done.acted_at == T0 + 600 and not done.ack_clock.late


def test_bad_outcomes_change_nothing(
    notices: NoticeService, world: Tenants, container: Container
) -> None:
    sent = notices.send(world.regulator, draft(urls=2))
    mine = sent.items[0].id
    other = notices.send(world.regulator, draft())
    before = audit_actions(container)
    with pytest.raises(InvalidInput, match="reason"):
        notices.report_outcomes(world.agent, sent.id, [ItemOutcome(mine, Outcome.REFUSED)])
    with pytest.raises(NotFound, match="no item"):  # an item of another notice is unknown here
        notices.report_outcomes(
            world.agent,
            sent.id,
            [ItemOutcome(mine, Outcome.REMOVED), ItemOutcome(other.items[0].id, Outcome.REMOVED)],
        )
    with pytest.raises(NotFound):
        notices.report_outcomes(world.agent, 999, [ItemOutcome(mine, Outcome.REMOVED)])
    again = notices.get(world.agent, sent.id)
    assert again.answered == 0 and again.acknowledged_at is None
    assert audit_actions(container)[: len(before)] == before
    assert [a for a, _ in audit_actions(container)[len(before) :]] == ["notice.read"]


def test_only_regulators_and_trusted_flaggers_send(
    notices: NoticeService, world: Tenants, container: Container
) -> None:
    for who in (world.agent, world.platform_admin, world.investigator):
        with pytest.raises(Forbidden):
            notices.send(who, draft())
    container.auth.create_org("Support", "victim_support", "Asia/Seoul")
    with pytest.raises(InvalidInput, match="no platform"):
        notices.send(world.regulator, draft("KNPA"))
    with pytest.raises(InvalidInput, match="no platform"):
        notices.send(world.regulator, draft("Nowhere"))
    bad_hash = NoticeDraft(
        "Telegram", "x", resolve_policy("kcsc_24h"), (NewItem(ItemKind.HASH, "zz", "pdq"),)
    )
    with pytest.raises(InvalidSignal):
        notices.send(world.regulator, bad_hash)
    unknown_type = NoticeDraft(
        "Telegram", "x", resolve_policy("kcsc_24h"), (NewItem(ItemKind.HASH, "ab", "tlsh"),)
    )
    with pytest.raises(InvalidInput):
        notices.send(world.regulator, unknown_type)
    assert notices.list_notices(world.regulator) == []


def test_hashes_are_canonicalised_and_duplicates_collapse(
    notices: NoticeService, world: Tenants
) -> None:
    upper = NewItem(ItemKind.HASH, "F" * 64, "pdq")
    lower = NewItem(ItemKind.HASH, "f" * 64, "pdq")
    sent = notices.send(
        world.regulator, NoticeDraft("Telegram", "x", resolve_policy("kcsc_24h"), (upper, lower))
    )
    assert [(i.signal_type, i.value) for i in sent.items] == [("pdq", "f" * 64)]


def test_tenancy(notices: NoticeService, world: Tenants, container: Container) -> None:
    sent = notices.send(world.regulator, draft())
    item = sent.items[0].id
    # another platform: the notice does not exist for it
    assert notices.list_notices(world.other_agent) == []
    with pytest.raises(NotFound):
        notices.get(world.other_agent, sent.id)
    with pytest.raises(NotFound):
        notices.acknowledge(world.other_agent, sent.id)
    with pytest.raises(NotFound):
        notices.report_outcomes(world.other_agent, sent.id, [ItemOutcome(item, Outcome.REMOVED)])
    # another regulator sees nothing of KCSC's notices either
    other = container.auth.create_org("Ofcom", "regulator", "Europe/London")
    ofcom = Principal.of(other, frozenset({Role.ANALYST}), user_id=9)
    assert notices.list_notices(ofcom) == []
    with pytest.raises(NotFound):
        notices.get(ofcom, sent.id)
    # the sender cannot answer its own notice, even as an admin
    with pytest.raises(Forbidden):
        notices.acknowledge(world.regulator, sent.id)
    with pytest.raises(Forbidden, match="addressed"):
        notices.acknowledge(world.regulator_admin, sent.id)
    with pytest.raises(Forbidden, match="addressed"):
        notices.report_outcomes(
            world.regulator_admin, sent.id, [ItemOutcome(item, Outcome.REMOVED)]
        )
    # police see no notices at all
    with pytest.raises(Forbidden):
        notices.list_notices(world.investigator)
    assert [n.id for n in notices.list_notices(world.agent)] == [sent.id]
    assert [n.id for n in notices.list_notices(world.regulator)] == [sent.id]


def test_every_read_and_write_is_audited(
    notices: NoticeService, world: Tenants, container: Container
) -> None:
    start = len(audit_actions(container))
    sent = notices.send(world.regulator, draft())
    notices.list_notices(world.agent)
    notices.get(world.agent, sent.id)
    notices.acknowledge(world.agent, sent.id)
    notices.report_outcomes(world.agent, sent.id, [ItemOutcome(sent.items[0].id, Outcome.REMOVED)])
    k, t = world.kcsc.id, world.telegram.id
    assert audit_actions(container)[start:] == [
        ("notice.send", k),
        ("notice.list", t),
        ("notice.read", t),
        ("notice.acknowledge", t),
        ("notice.outcomes", t),
    ]
    assert container.audit.verify().ok


def test_open_filter_and_limit(notices: NoticeService, world: Tenants, clock: FakeClock) -> None:
    first = notices.send(world.regulator, draft())
    clock.at(T0 + 1)
    second = notices.send(world.regulator, draft())
    notices.report_outcomes(
        world.agent, first.id, [ItemOutcome(first.items[0].id, Outcome.NOT_FOUND)]
    )
    assert [n.id for n in notices.list_notices(world.agent)] == [second.id, first.id]
    assert [n.id for n in notices.list_notices(world.agent, open_only=True)] == [second.id]
    assert len(notices.list_notices(world.agent, limit=1)) == 1
