"""Inbound e-mail to a case address (`case+HC-2026-000001@<domain>`), parsed with stdlib `email`.

Parsing only: whether the sender may post is the hotline service's decision. The From header must
name the same address as the SMTP envelope sender, so a message cannot claim one sender in the
envelope and show another. (No DKIM/SPF check happens here: run the receiver behind a mail relay
that enforces them.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from haechi.domain.cases import parse_case_number
from haechi.domain.errors import InvalidInput

MAX_MAIL_BYTES = 25 * 1024 * 1024
_CASE_LOCAL = re.compile(r"case\+(hc-\d{4}-\d{6,})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MailFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class InboundMail:
    case_number: str
    sender: str
    subject: str
    body: str
    files: tuple[MailFile, ...] = ()


def case_address(number: str, domain: str) -> str:
    return f"case+{number}@{domain}"


def case_for_recipient(recipient: str, domain: str) -> str:
    """The case number a recipient address names, or InvalidInput for any other address."""
    local, _, host = recipient.strip().strip("<>").rpartition("@")
    found = _CASE_LOCAL.fullmatch(local)
    if found is None or host.lower() != domain.lower():
        raise InvalidInput(f"not a case address of {domain}")
    return parse_case_number(found.group(1))


def parse_inbound(raw: bytes, *, envelope_from: str, recipient: str, domain: str) -> InboundMail:
    if len(raw) > MAX_MAIL_BYTES:
        raise InvalidInput("message too large")
    number = case_for_recipient(recipient, domain)
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if not sender or sender != envelope_from.strip().strip("<>").lower():
        raise InvalidInput("the From header does not match the envelope sender")
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    files = tuple(
        MailFile(
            filename=str(a.get_filename() or "attachment"),
            content_type=a.get_content_type(),
            data=_bytes(a),
        )
        for a in message.iter_attachments()
        if isinstance(a, EmailMessage)
    )
    subject = str(message.get("Subject", "")).strip()
    return InboundMail(number, sender, subject, str(body).strip(), files)


def _bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""
