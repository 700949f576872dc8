"""Regulators' notices by e-mail, over real SMTP on 127.0.0.1 (aiosmtpd): a structured body and a
picture attachment become a takedown notice; anyone else is refused (550) and audited."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from haechi.adapters.smtp_inbound import mail_receiver
from haechi.bootstrap import Container
from haechi.domain.errors import InvalidInput
from haechi.domain.notice_mail import parse_fields
from haechi.domain.notices import ItemKind
from tests.conftest import _free_port
from tests.fixtures import images
from tests.fixtures.cases import principal, seed, upload_report

ADDRESS = "notices@hotline.localhost"
BODY = """Dear Telegram trust & safety,

Platform: Telegram
Legal ground: Sexual Violence Punishment Act, Art. 14-2
Reference: KCSC-2026-0042
Policy: kcsc_24h
Case: {case}
URLs:
- https://t.me/c/1000000001/17
- https://t.me/c/1000000001/18
Rooms: https://t.me/+SchoolSample01
Hash: md5 {md5}

--
KCSC Digital Sex Crime Team
"""


@pytest.fixture
def c(container: Container) -> Container:
    seed(container)
    return container


@pytest.fixture
def smtp(c: Container) -> Iterator[int]:
    port = _free_port()
    receiver = mail_receiver(c.rooms.notice_mail, host="127.0.0.1", port=port)
    receiver.start()
    yield port
    receiver.stop()


def _mail(sender: str, body: str, *, to: str = ADDRESS, picture: bool = True) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = "Takedown notice KCSC-2026-0042"
    message.set_content(body)
    if picture:
        data = images.jpeg_bytes("coffee")
        message.add_attachment(data, maintype="image", subtype="jpeg", filename="evidence.jpg")
    message.add_attachment(b"%PDF-1.4 notice", maintype="application", subtype="pdf",
                           filename="notice.pdf")  # fmt: skip
    return message


def _audit(c: Container, action: str) -> list[dict[str, object]]:
    with c.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=10_000)
    return [
        {"id": e.resource_id, "actor": e.actor, **e.detail} for e in entries if e.action == action
    ]


def test_a_regulators_mail_becomes_a_notice(c: Container, smtp: int) -> None:
    case = upload_report(c, "astronaut")
    body = BODY.format(case=case.case_number, md5="d41d8cd98f00b204e9800998ecf8427e")
    blobs = set(c.settings.blob_dir.glob("**/*"))
    with smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client:
        client.send_message(_mail("Analyst@KCSC.example", body))
    analyst = principal(c, "analyst@kcsc.example")
    [notice] = c.notices.list_notices(analyst)
    full = c.notices.get(analyst, notice.id)
    assert full.to_org == "Telegram" and full.from_org == "KCSC"
    assert "KCSC-2026-0042" in (full.note or "") and full.case_id is not None
    kinds = [(i.kind, i.signal_type) for i in full.items]
    assert kinds.count((ItemKind.URL, None)) == 2 and (ItemKind.ROOM, None) in kinds
    picture = c.hashing.hash_bytes(images.jpeg_bytes("coffee"), content_type="photo").values()
    hashed = {(i.signal_type, i.value) for i in full.items if i.kind is ItemKind.HASH}
    assert ("pdq", picture["pdq"]) in hashed and ("md5", picture["md5"]) in hashed
    assert ("md5", "d41d8cd98f00b204e9800998ecf8427e") in hashed
    [accepted] = _audit(c, "notice.email_accepted")
    files = accepted["attachments"]
    assert isinstance(files, list) and [f["name"] for f in files] == ["evidence.jpg", "notice.pdf"]
    assert all(len(f["sha256"]) == 64 for f in files)
    assert set(c.settings.blob_dir.glob("**/*")) == blobs  # attachments are never stored


@pytest.mark.parametrize(
    ("sender", "why"),
    [
        ("stranger@example.org", "may not send"),
        ("agent@tg.example", "may not send"),  # a platform's user: not a sender of notices
        ("cop@knpa.example", "may not send"),
    ],
)
def test_anyone_else_is_refused_and_audited(c: Container, smtp: int, sender: str, why: str) -> None:
    body = BODY.format(case="", md5="d41d8cd98f00b204e9800998ecf8427e").replace("Case: \n", "")
    with (
        smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.send_message(_mail(sender, body))
    assert refused.value.smtp_code == 550
    assert c.notices.list_notices(principal(c, "analyst@kcsc.example")) == []
    [entry] = _audit(c, "notice.email_refused")
    assert entry["sender"] == sender and why in str(entry["reason"])


def test_malformed_notices_and_other_addresses_are_refused(c: Container, smtp: int) -> None:
    with smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client:
        with pytest.raises(smtplib.SMTPDataError) as missing:
            client.send_message(_mail("analyst@kcsc.example", "Platform: Telegram\nURL: x"))
        assert missing.value.smtp_code == 550 and b"legal ground" in missing.value.smtp_error
    with (
        smtplib.SMTP("127.0.0.1", smtp, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.send_message(_mail("analyst@kcsc.example", BODY, to="other@hotline.localhost"))
    reasons = [str(e["reason"]) for e in _audit(c, "notice.email_refused")]
    assert len(reasons) == 1 and "legal ground" in reasons[0]


def test_the_body_parser_names_unknown_fields() -> None:
    fields = parse_fields("Platform: Viber\nLinks: https://a.example/1, https://a.example/2\n")
    assert fields == {"platform": ["Viber"], "urls": ["https://a.example/1", "https://a.example/2"]}
    with pytest.raises(InvalidInput, match="Colour"):
        parse_fields("Colour: red")
