"""Law-enforcement requests through the services: verification hold, tenancy, clocks, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from haechi.adapters.blobs import LocalBlobStore
from haechi.adapters.smtp import SmtpMailer
from haechi.bootstrap import Container
from haechi.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from haechi.domain.le_requests import DAY, RequestType, Status, Verification
from haechi.domain.le_responses import Disposition, ResponseDraft, SuppliedRecord, Withheld
from haechi.domain.tenancy import Principal
from haechi.domain.webhooks import Event
from haechi.services.le_bundle import LeServices
from haechi.services.le_requests import Upload
from haechi.services.ports_le import Mailer, NoMailer
from tests.conftest import _free_port
from tests.fixtures.le import ACCOUNTS, draft, seed_le

T0 = 1_760_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def wire(c: Container, tmp: Path, clock: FakeClock, mailer: Mailer | None = None) -> LeServices:
    c.le = LeServices.build(
        uow_factory=c.uow, blobs=LocalBlobStore(tmp / "le"), mailer=mailer or NoMailer(), now=clock
    )
    return c.le


@pytest.fixture
def who(container: Container, tmp_path: Path, clock: FakeClock) -> dict[str, Principal]:
    wire(container, tmp_path, clock)
    return seed_le(container)


COMPLETE = ResponseDraft(
    Disposition.COMPLETE,
    records=(
        SuppliedRecord(ACCOUNTS[0], "subscriber phone", "+82-10-0000-0001"),
        SuppliedRecord(ACCOUNTS[1], "subscriber phone", "+82-10-0000-0002"),
    ),
)


def test_verified_domain_reaches_the_platform_with_a_24h_clock(
    container: Container, who: dict[str, Principal]
) -> None:
    le = container.le
    request = le.requests.submit(who["cop@KNPA"], draft())
    assert request.verification is Verification.VERIFIED and request.status is Status.OPEN
    assert request.due_at == T0 + DAY
    inbox = le.requests.list_requests(who["agent@Telegram"])
    assert [r.id for r in inbox] == [request.id]
    seen, history = le.requests.get(who["agent@Telegram"], request.id)
    assert seen.accounts == ACCOUNTS and history.counts == {"open": 1}


def test_unverified_requester_is_held_and_gets_no_data(
    container: Container, who: dict[str, Principal], clock: FakeClock
) -> None:
    le, agent = container.le, who["agent@Telegram"]
    doc = Upload("warrant.pdf", "application/pdf", b"%PDF-1.4 warrant")
    held = le.requests.submit(
        who["rogue@KNPA"], draft(officer_email="rogue@gmail.example"), attachment=doc
    )
    assert held.verification is Verification.HELD and held.due_at is None
    assert le.requests.list_requests(agent) == []
    for attempt in (
        lambda: le.requests.get(agent, held.id),
        lambda: le.requests.attachment(agent, held.id),
        lambda: le.requests.respond(agent, held.id, COMPLETE),
    ):
        with pytest.raises(NotFound):
            attempt()
    with pytest.raises(Forbidden):
        le.verification.verify(who["cop@KNPA"], held.id, accept=True)
    assert [r.id for r in le.requests.list_requests(who["admin@KCSC"])] == [held.id]
    clock.t += 3600
    released = le.verification.verify(who["admin@KCSC"], held.id, accept=True)
    assert released.received_at == T0 + 3600 and released.due_at == T0 + 3600 + DAY
    assert le.requests.attachment(agent, held.id)[1] == b"%PDF-1.4 warrant"


def test_rejected_requests_never_reach_the_platform_and_count_in_the_history(
    container: Container, who: dict[str, Principal]
) -> None:
    le, rogue = container.le, who["rogue@KNPA"]
    first = le.requests.submit(rogue, draft(officer_email="rogue@gmail.example"))
    le.verification.verify(who["admin@KCSC"], first.id, accept=False, note="unknown sender")
    second = le.requests.submit(rogue, draft(officer_email="rogue@gmail.example"))
    le.verification.verify(who["admin@KCSC"], second.id, accept=True)
    with pytest.raises(NotFound):
        le.requests.get(who["agent@Telegram"], first.id)
    _, history = le.requests.get(who["agent@Telegram"], second.id)
    assert history.counts == {"rejected": 1, "open": 1} and history.total == 2
    with pytest.raises(InvalidInput, match="signed-in"):
        le.requests.submit(rogue, draft())  # cannot borrow a verified colleague's address


def test_other_police_and_platforms_see_nothing(
    container: Container, who: dict[str, Principal]
) -> None:
    le = container.le
    request = le.requests.submit(who["cop@KNPA"], draft())
    for outsider in (who["cop@Busan Police"], who["agent@Signal"]):
        assert le.requests.list_requests(outsider) == []
        with pytest.raises(NotFound):
            le.requests.get(outsider, request.id)
    with pytest.raises(NotFound):
        le.requests.respond(who["agent@Signal"], request.id, COMPLETE)
    with pytest.raises(Forbidden):
        le.requests.respond(who["cop@KNPA"], request.id, COMPLETE)
    with pytest.raises(Forbidden):
        le.requests.submit(who["agent@Telegram"], draft())


def test_partial_then_complete_refusals_need_reasons(
    container: Container, who: dict[str, Principal], clock: FakeClock
) -> None:
    le, agent = container.le, who["agent@Telegram"]
    request = le.requests.submit(who["cop@KNPA"], draft())
    with pytest.raises(InvalidInput, match="reason"):
        le.requests.respond(agent, request.id, ResponseDraft(Disposition.REFUSED))
    clock.t += 2 * 3600
    partial = ResponseDraft(
        Disposition.PARTIAL,
        records=COMPLETE.records[:1],
        withheld=(Withheld(ACCOUNTS[1], "IP logs", "not retained beyond 7 days"),),
    )
    after = le.requests.respond(agent, request.id, partial)
    assert after.status is Status.PARTIAL and after.closed_at is None
    clock.t += 3600
    done = le.requests.respond(agent, request.id, COMPLETE)
    assert done.status is Status.ANSWERED and done.took == 3 * 3600
    assert done.clock is not None and not done.clock.late and len(done.responses) == 2
    with pytest.raises(Conflict):
        le.requests.respond(agent, request.id, COMPLETE)
    refused = le.requests.submit(who["cop@KNPA"], draft())
    no = ResponseDraft(Disposition.REFUSED, reason="the instrument names another service")
    assert le.requests.respond(agent, refused.id, no).status is Status.REFUSED


def test_preservation_renews_once_and_reminds_before_expiry(
    container: Container, who: dict[str, Principal], clock: FakeClock
) -> None:
    le = container.le
    hold = le.requests.submit(who["cop@KNPA"], draft(RequestType.PRESERVATION))
    assert hold.preservation is not None and hold.preservation.expires_at == T0 + 90 * DAY
    clock.t += 77 * DAY
    assert le.dashboard.remind_preservations() == 1
    assert le.dashboard.remind_preservations() == 0
    renewed = le.requests.renew(who["cop@KNPA"], hold.id)
    assert renewed.preservation is not None
    assert renewed.preservation.expires_at == T0 + 180 * DAY
    with pytest.raises(Conflict, match="once"):
        le.requests.renew(who["cop@KNPA"], hold.id)
    with pytest.raises(NotFound):
        le.requests.renew(who["cop@Busan Police"], hold.id)


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[int, list[dict[str, object]]]]:
    from aiosmtpd.controller import Controller

    received: list[dict[str, object]] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(
                {
                    "to": list(envelope.rcpt_tos),  # type: ignore[attr-defined]
                    "body": envelope.content.decode(),  # type: ignore[attr-defined]
                }
            )
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_emergency_is_paged_by_webhook_and_email(
    container: Container,
    tmp_path: Path,
    clock: FakeClock,
    smtp_inbox: tuple[int, list[dict[str, object]]],
) -> None:
    port, inbox = smtp_inbox
    wire(container, tmp_path, clock, SmtpMailer(host="127.0.0.1", port=port, sender="p@h.example"))
    who = seed_le(container)
    with container.uow() as uow:  # an endpoint as `webhooks.register` stores it (no DNS here)
        uow.webhooks.add_endpoint(
            org_id=container.auth.org("Telegram").id,
            url="https://hooks.example/tg",
            events=frozenset({Event.LE_REQUEST_EMERGENCY}),
            nonce="n",
            at=T0,
        )
    request = container.le.requests.submit(who["cop@KNPA"], draft(RequestType.EMERGENCY))
    assert request.due_at == T0 + 3600
    with container.uow() as uow:
        queued = uow.webhooks.due(T0 + 1, 10)
    assert [json.loads(d.payload)["event"] for d in queued] == ["le_request.emergency"]
    assert "@seller" not in queued[0].payload  # thin payload: no named accounts
    assert len(inbox) == 1 and inbox[0]["to"] == ["agent@tg.example"]
    assert f"EMERGENCY law-enforcement request #{request.id}" in str(inbox[0]["body"])
    with pytest.raises(InvalidInput, match="attestation"):
        container.le.requests.respond(
            who["agent@Telegram"], request.id, ResponseDraft(Disposition.COMPLETE)
        )
