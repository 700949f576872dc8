"""The hotline thread of a case: messages between police, regulator and platform, and reply clocks.

Who takes part is a rule, not a preference: the organisation that owns the case, those it is
shared with, platforms that a takedown notice for the case was sent to, and police (and the
platform they asked) with a law-enforcement request citing it. Anyone else is told the thread does
not exist. A message addressed to one organisation starts a reply clock; the clock stops at that
organisation's next message in the thread, and a message whose clock ran out unanswered is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from haechi.domain.errors import InvalidInput
from haechi.domain.tenancy import Permission, Principal

MAX_BODY = 20_000
MAX_ATTACHMENTS = 10
#: reply clocks a sender may ask for, in hours
MIN_REPLY_H, MAX_REPLY_H = 1, 24 * 30
#: any one of these lets a participant organisation's people read and write the thread
THREAD_PERMISSIONS = frozenset(
    {
        Permission.CASES_READ,
        Permission.NOTICES_READ,
        Permission.NOTICES_RESPOND,
        Permission.LE_REQUEST,
        Permission.LE_RESPOND,
    }
)


class Via(StrEnum):
    WEB = "web"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file kept in the blob store under its SHA-256."""

    sha256: str
    filename: str
    content_type: str
    size: int

    def as_dict(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class MessageDraft:
    body: str
    to_org_id: int | None = None
    reply_within_h: float | None = None

    def checked(self) -> MessageDraft:
        body = (self.body or "").strip()
        if not body:
            raise InvalidInput("a message needs a body")
        if len(body) > MAX_BODY:
            raise InvalidInput(f"a message is at most {MAX_BODY} characters")
        hours = self.reply_within_h
        if hours is not None and not MIN_REPLY_H <= hours <= MAX_REPLY_H:
            raise InvalidInput(f"reply_within_h must be between {MIN_REPLY_H} and {MAX_REPLY_H}")
        if hours is not None and self.to_org_id is None:
            raise InvalidInput("a reply clock needs an addressee (to_org)")
        return MessageDraft(body, self.to_org_id, hours)


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    case_id: int
    from_org_id: int
    author: str
    body: str
    via: Via
    created_at: float
    to_org_id: int | None = None
    reply_due_at: float | None = None
    sender_email: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Receipt:
    message_id: int
    org_id: int
    reader: str
    read_at: float


@dataclass(frozen=True, slots=True)
class ReplyClock:
    """Where a message's reply clock stands."""

    message_id: int
    to_org_id: int
    due_at: float
    answered_at: float | None
    #: unanswered past its due time
    overdue: bool
    #: answered, but after its due time
    late: bool


def reply_clocks(messages: Sequence[Message], now: float) -> dict[int, ReplyClock]:
    """Reply clock of every addressed message with a due time, by message id (oldest first)."""
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id))
    clocks: dict[int, ReplyClock] = {}
    for i, message in enumerate(ordered):
        if message.to_org_id is None or message.reply_due_at is None:
            continue
        answer = next((m for m in ordered[i + 1 :] if m.from_org_id == message.to_org_id), None)
        answered_at = answer.created_at if answer is not None else None
        due = message.reply_due_at
        clocks[message.id] = ReplyClock(
            message_id=message.id,
            to_org_id=message.to_org_id,
            due_at=due,
            answered_at=answered_at,
            overdue=answered_at is None and now > due,
            late=answered_at is not None and answered_at > due,
        )
    return clocks


def may_use_threads(principal: Principal) -> bool:
    return any(principal.can(p) for p in THREAD_PERMISSIONS)
