"""Hotline threads: who takes part, read receipts, reply clocks, and the e-mail bridge over SMTP."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage

import pytest

from haechi.adapters.blobs import LocalBlobStore
from haechi.adapters.smtp_inbound import mail_receiver
from haechi.bootstrap import Container
from haechi.domain.errors import InvalidInput, NotFound
from haechi.domain.hotline import MessageDraft, Via
from haechi.services.hotline import HotlineService, Upload
from tests.conftest import _free_port
from tests.fixtures import notices as notice_fixtures
from tests.fixtures.cases import principal, seed, upload_report

T0 = 1_760_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def c(container: Container) -> Container:
    seed(container)
    return container


@pytest.fixture
def number(c: Container) -> str:
    return upload_report(c, "coffee").case_number


def _rows(c: Container) -> int:
    with c.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM hotline_message").scalar_one())


def _audit(c: Container, action: str) -> list[dict[str, object]]:
    with c.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=10_000)
    return [{"id": e.resource_id, **e.detail} for e in entries if e.action == action]


def test_only_participants_reach_the_thread(c: Container, number: str) -> None:
    threads = c.hotline.threads
    analyst, cop = principal(c, "analyst@kcsc.example"), principal(c, "cop@knpa.example")
    agent, flagger = principal(c, "agent@tg.example"), principal(c, "flag@flagger.example")
    threads.post(analyst, number, MessageDraft("Police, please look at this room."))
    for outsider in (cop, agent, flagger):
        with pytest.raises(NotFound):
            threads.thread(outsider, number)
        with pytest.raises(NotFound):
            threads.post(outsider, number, MessageDraft("let me in"))
    with pytest.raises(NotFound):
        threads.thread(analyst, "HC-2026-999999")
    assert _rows(c) == 1

    c.review.share(analyst, number, "KNPA")
    case_id = c.review.case(analyst, number).case.id
    c.notices.send(analyst, replace(notice_fixtures.draft(), case_id=case_id))
    view = threads.thread(agent, number)
    assert set(view.participants.values()) == {"KCSC", "KNPA", "Telegram"}
    threads.post(cop, number, MessageDraft("On it."))
    with pytest.raises(NotFound):
        threads.thread(flagger, number)
    flagger_id = next(o.id for o in c.auth.orgs() if o.name == "Flagger")
    with pytest.raises(InvalidInput):
        threads.post(analyst, number, MessageDraft("hi", to_org_id=flagger_id))
    assert [m.body for m in threads.thread(analyst, number).messages] == [
        "Police, please look at this room.",
        "On it.",
    ]


def test_read_receipts_per_reader(c: Container, number: str) -> None:
    threads = c.hotline.threads
    analyst, mod = principal(c, "analyst@kcsc.example"), principal(c, "mod@kcsc.example")
    c.review.share(analyst, number, "KNPA")
    cop = principal(c, "cop@knpa.example")
    first = threads.post(analyst, number, MessageDraft("one"))
    threads.post(analyst, number, MessageDraft("two"))
    assert threads.mark_read(cop, number, [first.id]) == 1
    assert threads.mark_read(cop, number, [first.id]) == 0
    assert threads.mark_read(mod, number) == 2
    view = threads.thread(analyst, number)
    assert sorted(r.reader for r in view.readers(first.id)) == sorted([cop.actor, mod.actor])
    with pytest.raises(NotFound):
        threads.mark_read(cop, number, [9999])
    assert _audit(c, "hotline.mark_read")[-1]["new"] == 2


def test_reply_clock_runs_out_and_stops_at_the_reply(c: Container, number: str) -> None:
    clock = Clock()
    threads = HotlineService(
        uow_factory=c.uow, blobs=LocalBlobStore(c.settings.blob_dir), now=clock
    )
    analyst = principal(c, "analyst@kcsc.example")
    c.review.share(analyst, number, "KNPA")
    cop = principal(c, "cop@knpa.example")
    knpa = cop.org_id
    asked = threads.post(analyst, number, MessageDraft("Subscriber data?", knpa, 2))
    default = threads.post(analyst, number, MessageDraft("And this?", knpa))
    assert default.reply_due_at == T0 + 24 * 3600
    clock.t = T0 + 3600
    assert not threads.thread(analyst, number).clocks[asked.id].overdue
    clock.t = T0 + 3 * 3600
    view = threads.thread(analyst, number)
    assert [c.message_id for c in view.overdue] == [asked.id]
    threads.post(cop, number, MessageDraft("Here it is."))
    clock.t = T0 + 30 * 3600
    clocks = threads.thread(analyst, number).clocks
    assert clocks[asked.id].answered_at == T0 + 3 * 3600
    assert clocks[asked.id].late and not clocks[asked.id].overdue
    assert not clocks[default.id].late and not clocks[default.id].overdue


def test_attachments_go_to_the_blob_store(c: Container, number: str) -> None:
    analyst = principal(c, "analyst@kcsc.example")
    upload = Upload("warrant.pdf", "application/pdf", b"%PDF-1.4 warrant")
    message = c.hotline.threads.post(analyst, number, MessageDraft("warrant"), [upload])
    key = message.attachments[0].sha256
    data, kind, name = c.hotline.threads.attachment(analyst, number, key)
    assert (data, kind, name) == (upload.data, "application/pdf", "warrant.pdf")


@pytest.fixture
def smtp(c: Container) -> Iterator[int]:
    port = _free_port()
    receiver = mail_receiver(c.hotline.mail, host="127.0.0.1", port=port)
    receiver.start()
    yield port
    receiver.stop()


def _mail(sender: str, number: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, f"case+{number}@hotline.localhost"
    message["Subject"] = "Re: subscriber data"
    message.set_content(body)
    message.add_attachment(b"csv,data", maintype="text", subtype="csv", filename="records.csv")
    return message


def test_email_from_a_participant_becomes_a_message(c: Container, number: str, smtp: int) -> None:
    analyst = principal(c, "analyst@kcsc.example")
    c.review.share(analyst, number, "KNPA")
    with smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client:
        client.send_message(_mail("Cop@KNPA.example", number, "Records attached."))
    [message] = c.hotline.threads.thread(analyst, number).messages
    assert message.via is Via.EMAIL and message.sender_email == "cop@knpa.example"
    assert message.body == "Re: subscriber data\n\nRecords attached."
    assert message.attachments[0].filename == "records.csv"
    assert message.author == principal(c, "cop@knpa.example").actor
    assert _audit(c, "hotline.email_accepted")[0]["id"] == number


def test_email_from_anyone_else_is_refused_and_audited(
    c: Container, number: str, smtp: int
) -> None:
    analyst = principal(c, "analyst@kcsc.example")
    senders = ("stranger@example.org", "agent@tg.example")  # Telegram is not a participant yet
    for sender in senders:
        with (
            smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.send_message(_mail(sender, number, "let me in"))
        assert refused.value.smtp_code == 550
    with (
        smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.send_message(_mail("cop@knpa.example", number, "x"), to_addrs=["a@elsewhere.org"])
    assert c.hotline.threads.thread(analyst, number).messages == []
    assert [a["sender"] for a in _audit(c, "hotline.email_refused")] == list(senders)
