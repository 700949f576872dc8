"""Signed webhook delivery against a real HTTP receiver on 127.0.0.1: signatures, routing of
events, retries with backoff (on a fixed clock), giving up, secret rotation and the SSRF guard."""

from __future__ import annotations

import pytest

from haechi.adapters.fetch.http_fetcher import FetchPolicy
from haechi.adapters.webhooks import GuardedWebhookSender
from haechi.bootstrap import Container
from haechi.domain.errors import Forbidden, InvalidInput, NotFound, UnsafeUrl
from haechi.domain.notices import ItemOutcome, Outcome
from haechi.domain.webhooks import DeliveryStatus, verify_signature
from haechi.services.notices import NoticeService
from haechi.services.webhooks import DeliveryRun, WebhookService
from tests.fixtures.notices import T0, FakeClock, Tenants, draft, receiver, seed, services

KEY = b"test webhook server key"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(container: Container) -> Tenants:
    return seed(container)


def webhooks(container: Container, clock: FakeClock, **kw: object) -> WebhookService:
    sender = GuardedWebhookSender(FetchPolicy(timeout_s=5, allow_private=True))
    return WebhookService(uow_factory=container.uow, sender=sender, key=KEY, now=clock, **kw)  # type: ignore[arg-type]


@pytest.fixture
def notices(container: Container, clock: FakeClock) -> NoticeService:
    return services(container, clock)[0]


def test_new_notices_reach_the_platform_and_outcomes_the_regulator(
    container: Container, world: Tenants, clock: FakeClock, notices: NoticeService
) -> None:
    hooks = webhooks(container, clock)
    with receiver() as platform_rx, receiver() as regulator_rx:
        _, platform_secret = hooks.register(world.platform_admin, url=platform_rx.url, events=[])
        _, regulator_secret = hooks.register(
            world.regulator_admin, url=regulator_rx.url, events=["notice.outcome"]
        )
        sent = notices.send(world.regulator, draft(urls=2))
        assert hooks.deliver_due() == DeliveryRun(delivered=1)
        notices.acknowledge(world.agent, sent.id)  # the regulator did not subscribe to this
        notices.report_outcomes(
            world.agent, sent.id, [ItemOutcome(sent.items[0].id, Outcome.REMOVED)]
        )
        assert hooks.deliver_due() == DeliveryRun(delivered=1)

    (created,) = platform_rx.requests
    assert created.path == "/hooks/haechi"
    assert created.headers["X-Haechi-Event"] == "notice.created"
    assert verify_signature(
        platform_secret, created.headers["X-Haechi-Signature"], created.body, now=T0
    )
    assert not verify_signature(
        regulator_secret, created.headers["X-Haechi-Signature"], created.body, now=T0
    )
    data = created.json["data"]
    assert isinstance(data, dict)
    assert data["notice_id"] == sent.id and data["items"] == 2 and data["to"] == "Telegram"
    assert "t.me" not in created.body.decode()  # thin payloads: no item values leave by webhook

    (outcome,) = regulator_rx.requests
    assert outcome.headers["X-Haechi-Event"] == "notice.outcome"
    assert verify_signature(
        regulator_secret, outcome.headers["X-Haechi-Signature"], outcome.body, now=T0
    )
    assert outcome.json["data"]["outcomes"] == [{"item_id": sent.items[0].id, "outcome": "removed"}]  # type: ignore[index]


def test_failures_are_retried_with_backoff_then_delivered(
    container: Container, world: Tenants, clock: FakeClock, notices: NoticeService
) -> None:
    hooks = webhooks(container, clock)
    with receiver(script=[500, 503]) as rx:
        endpoint, secret = hooks.register(
            world.platform_admin, url=rx.url, events=["notice.created"]
        )
        notices.send(world.regulator, draft())
        assert hooks.deliver_due() == DeliveryRun(retrying=1)
        (pending,) = hooks.deliveries(world.platform_admin, endpoint.id)
        assert (pending.attempts, pending.next_attempt_at) == (1, T0 + 30)
        assert pending.last_error == "receiver answered HTTP 500"
        assert hooks.deliver_due() == DeliveryRun()  # not due yet
        clock.at(T0 + 30)
        assert hooks.deliver_due() == DeliveryRun(retrying=1)
        clock.at(T0 + 30 + 59)
        assert hooks.deliver_due() == DeliveryRun()
        clock.at(T0 + 90)
        assert hooks.deliver_due() == DeliveryRun(delivered=1)
    (done,) = hooks.deliveries(world.platform_admin, endpoint.id)
    assert (
        done.status is DeliveryStatus.DELIVERED
        and done.attempts == 3
        and done.delivered_at == T0 + 90
    )
    assert len(rx.requests) == 3
    assert len({r.headers["X-Haechi-Delivery"] for r in rx.requests}) == 1
    assert len({r.body for r in rx.requests}) == 1  # retries sign the same bytes
    stamps = [r.headers["X-Haechi-Signature"].split(",")[0] for r in rx.requests]
    assert stamps == [f"t={int(T0)}", f"t={int(T0 + 30)}", f"t={int(T0 + 90)}"]
    last = rx.requests[-1]
    assert verify_signature(secret, last.headers["X-Haechi-Signature"], last.body, now=T0 + 90)


def test_deliveries_give_up_after_the_last_attempt(
    container: Container, world: Tenants, clock: FakeClock, notices: NoticeService
) -> None:
    hooks = webhooks(container, clock, max_attempts=2)
    with receiver() as rx:
        url = rx.url
    # the receiver is gone: connection refused
    endpoint, _ = hooks.register(world.platform_admin, url=url, events=[])
    notices.send(world.regulator, draft())
    assert hooks.deliver_due() == DeliveryRun(retrying=1)
    clock.at(T0 + 30)
    assert hooks.deliver_due() == DeliveryRun(failed=1)
    clock.at(T0 + 10**6)
    assert hooks.deliver_due() == DeliveryRun()
    (failed,) = hooks.deliveries(world.platform_admin, endpoint.id)
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 2
    assert failed.last_error == "webhook delivery failed: ConnectError"
    with container.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=500)]
    assert "webhook.failed" in actions


def test_rotation_deletion_and_tenancy(
    container: Container, world: Tenants, clock: FakeClock, notices: NoticeService
) -> None:
    hooks = webhooks(container, clock)
    with receiver() as rx:
        endpoint, old = hooks.register(world.platform_admin, url=rx.url, events=[])
        same, new = hooks.rotate(world.platform_admin, endpoint.id)
        assert same.id == endpoint.id and new != old
        notices.send(world.regulator, draft())
        hooks.deliver_due()
    signature = rx.requests[0].headers["X-Haechi-Signature"]
    assert verify_signature(new, signature, rx.requests[0].body, now=T0)
    assert not verify_signature(old, signature, rx.requests[0].body, now=T0)
    with pytest.raises(Forbidden):  # only organisation admins manage endpoints
        hooks.register(world.agent, url=rx.url, events=[])
    with pytest.raises(NotFound):  # another organisation's endpoint does not exist for you
        hooks.rotate(world.regulator_admin, endpoint.id)
    with pytest.raises(NotFound):
        hooks.delete(world.regulator_admin, endpoint.id)
    assert [e.id for e in hooks.endpoints(world.platform_admin)] == [endpoint.id]
    hooks.delete(world.platform_admin, endpoint.id)
    assert hooks.endpoints(world.platform_admin) == []


def test_urls_are_checked_when_registered(
    container: Container, world: Tenants, clock: FakeClock
) -> None:
    strict = WebhookService(
        uow_factory=container.uow,
        sender=GuardedWebhookSender(FetchPolicy(allow_private=False)),
        key=KEY,
        now=clock,
        require_https=True,
    )
    with pytest.raises(UnsafeUrl):
        strict.register(world.platform_admin, url="https://127.0.0.1/hook", events=[])
    with pytest.raises(InvalidInput, match="https"):
        strict.register(world.platform_admin, url="http://hooks.example/x", events=[])
    for bad in ("ftp://x.example/", "not a url", "https://x.example/" + "a" * 3000):
        with pytest.raises(InvalidInput):
            strict.register(world.platform_admin, url=bad, events=[])
    with pytest.raises(InvalidInput, match="events"):
        webhooks(container, clock).register(
            world.platform_admin, url="http://127.0.0.1:9/", events=["notice.deleted"]
        )
    assert strict.endpoints(world.platform_admin) == []


def test_escalations_are_raised_once_and_tell_the_sender(
    container: Container, world: Tenants, clock: FakeClock, notices: NoticeService
) -> None:
    hooks = webhooks(container, clock)
    with receiver() as rx:
        hooks.register(world.regulator_admin, url=rx.url, events=["notice.escalated"])
        late = notices.send(world.regulator, draft())
        answered = notices.send(world.regulator, draft())
        notices.report_outcomes(
            world.agent, answered.id, [ItemOutcome(answered.items[0].id, Outcome.REMOVED)]
        )
        clock.at(T0 + 24 * 3600)
        assert notices.escalate_overdue() == 0  # due, but not yet past due
        clock.at(T0 + 24 * 3600 + 1)
        assert notices.escalate_overdue() == 1
        assert notices.escalate_overdue() == 0  # once only
        assert hooks.deliver_due() == DeliveryRun(delivered=1)
    (sent,) = rx.requests
    assert sent.headers["X-Haechi-Event"] == "notice.escalated"
    data = sent.json["data"]
    assert isinstance(data, dict)
    assert data["notice_id"] == late.id and data["escalated_at"] == T0 + 24 * 3600 + 1
    assert notices.get(world.regulator, late.id).escalated_at == T0 + 24 * 3600 + 1
    with container.uow() as uow:
        entries = [
            e for e in uow.audit.entries(after_seq=0, limit=500) if e.action == "notice.escalate"
        ]
    assert [(e.actor, e.org_id, e.resource_id) for e in entries] == [
        ("system:sla", world.kcsc.id, str(late.id))
    ]
