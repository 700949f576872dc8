"""Regulators' takedown notices by e-mail (`notices@<domain>`): the structured body, parsed.

A regulator's existing system can send its notices as e-mail. The body holds `Key: value` lines
(keys are case-insensitive; list values continue on lines starting with `-`):

    Platform: Telegram
    Legal ground: Sexual Violence Punishment Act, Art. 14-2
    Reference: KCSC-2026-0042
    Policy: kcsc_24h
    Case: HC-2026-000001
    URLs:
    - https://t.me/c/1234/56
    Rooms: https://t.me/+AbCdEf
    Hash: pdq 8e5b…   (or `md5:…`)

Pictures attached to the message are hashed by the service and listed as hash items; their bytes
are never stored. The From header must equal the SMTP envelope sender (as for the hotline bridge);
whether that sender may send notices is the service's decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from haechi.domain.errors import InvalidInput
from haechi.domain.hotline_mail import MAX_MAIL_BYTES, MailFile

_KEY = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}):\s*(.*)$")
_ALIASES = {
    "platform": "platform",
    "legal ground": "legal_ground",
    "legal basis": "legal_ground",
    "reference": "reference",
    "ref": "reference",
    "policy": "policy",
    "case": "case",
    "url": "urls",
    "urls": "urls",
    "links": "urls",
    "link": "urls",
    "message links": "message_links",
    "message link": "message_links",
    "room": "rooms",
    "rooms": "rooms",
    "hash": "hashes",
    "hashes": "hashes",
    "note": "note",
}
_LISTS = frozenset({"urls", "message_links", "rooms", "hashes"})


@dataclass(frozen=True, slots=True)
class NoticeMail:
    sender: str
    subject: str
    platform: str
    legal_ground: str
    reference: str
    policy: str = "kcsc_24h"
    case: str | None = None
    note: str | None = None
    urls: tuple[str, ...] = ()
    message_links: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    #: (signal type, value) written in the body
    hashes: tuple[tuple[str, str], ...] = ()
    files: tuple[MailFile, ...] = ()


def address_matches(recipient: str, address: str) -> bool:
    return recipient.strip().strip("<>").lower() == address.strip().lower()


def parse_fields(body: str) -> dict[str, list[str]]:
    """`Key: value` lines and `- item` continuations; unknown keys are refused by name."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith(">"):
            continue
        if raw.rstrip() == "--":  # the signature follows
            break
        if line.startswith(("-", "*")) and current in _LISTS:
            item = line.lstrip("-* ").strip()
            if item:
                fields[current].append(item)
            continue
        match = _KEY.match(line)
        if match is None:
            continue
        key = _ALIASES.get(" ".join(match.group(1).lower().replace("_", " ").split()))
        if key is None:
            raise InvalidInput(f"unknown field '{match.group(1)}' in the notice")
        current = key
        value = match.group(2).strip()
        fields.setdefault(key, [])
        if value:
            fields[key].extend(v.strip() for v in value.split(",") if key in _LISTS and v.strip())
            if key not in _LISTS:
                fields[key].append(value)
    return fields


def _hash(text: str) -> tuple[str, str]:
    kind, _, value = text.replace(":", " ", 1).partition(" ")
    if not kind or not value.strip():
        raise InvalidInput(f"a hash line reads 'pdq <hex>' or 'md5:<hex>': {text[:60]}")
    return kind.strip().lower(), value.strip()


def _one(fields: dict[str, list[str]], key: str, required: bool = True) -> str | None:
    values = fields.get(key) or []
    if not values:
        if required:
            raise InvalidInput(f"the notice needs a '{key.replace('_', ' ')}' field")
        return None
    return values[0]


def parse_notice_mail(raw: bytes, *, envelope_from: str) -> NoticeMail:
    if len(raw) > MAX_MAIL_BYTES:
        raise InvalidInput("message too large")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if not sender or sender != envelope_from.strip().strip("<>").lower():
        raise InvalidInput("the From header does not match the envelope sender")
    part = message.get_body(preferencelist=("plain",))
    fields = parse_fields(str(part.get_content()) if part is not None else "")
    files = tuple(
        MailFile(str(a.get_filename() or "attachment"), a.get_content_type(), _bytes(a))
        for a in message.iter_attachments()
        if isinstance(a, EmailMessage)
    )
    return NoticeMail(
        sender=sender,
        subject=str(message.get("Subject", "")).strip()[:300],
        platform=_one(fields, "platform") or "",
        legal_ground=_one(fields, "legal_ground") or "",
        reference=_one(fields, "reference") or "",
        policy=_one(fields, "policy", required=False) or "kcsc_24h",
        case=_one(fields, "case", required=False),
        note=_one(fields, "note", required=False),
        urls=tuple(fields.get("urls", ())),
        message_links=tuple(fields.get("message_links", ())),
        rooms=tuple(fields.get("rooms", ())),
        hashes=tuple(_hash(h) for h in fields.get("hashes", ())),
        files=files,
    )


def _bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""
