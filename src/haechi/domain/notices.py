"""Takedown notices: a regulator tells a platform what to remove, and the clocks that run on it.

A notice goes from a sending organisation (a regulator or a trusted flagger) to one platform. It
lists items — hashes with their signal type, URLs, message links, rooms/channels — a legal ground
and an SLA policy. Its clocks run received → acknowledged → acted: *acted* is the moment every item
first has an outcome. Reporting an outcome acknowledges the notice if nobody did before.

Outcomes may be revised (a refusal reconsidered after escalation); the audit log keeps each report,
and the act clock stops for good the first time every item is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from haechi.domain.errors import InvalidInput
from haechi.domain.sla import SlaPolicy
from haechi.domain.tenancy import OrgKind

#: organisation kinds that may send notices; a victim-support centre sends through a regulator
#: or is registered as a trusted flagger
SENDER_KINDS = frozenset({OrgKind.REGULATOR, OrgKind.TRUSTED_FLAGGER})
MAX_ITEMS = 1000
MAX_VALUE = 2048
MAX_TEXT = 4000


class ItemKind(StrEnum):
    HASH = "hash"
    URL = "url"
    MESSAGE_LINK = "message_link"
    ROOM = "room"


class Outcome(StrEnum):
    REMOVED = "removed"
    GEO_BLOCKED = "geo_blocked"
    NOT_FOUND = "not_found"
    REFUSED = "refused"


class Stage(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ACTED = "acted"


def _clean(text: str, what: str, limit: int) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(f"{what} is required")
    if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{what} must be at most {limit} printable characters")
    return value


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item as the sender lists it; hash values are canonicalised by the service."""

    kind: ItemKind
    value: str
    signal_type: str | None = None

    def checked(self) -> NewItem:
        value = _clean(self.value, f"{self.kind} value", MAX_VALUE)
        if self.kind is ItemKind.HASH and not self.signal_type:
            raise InvalidInput("a hash item needs its signal_type")
        if self.kind is not ItemKind.HASH and self.signal_type:
            raise InvalidInput("only hash items have a signal_type")
        if self.kind in (ItemKind.URL, ItemKind.MESSAGE_LINK):
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.query):
                raise InvalidInput(f"{self.kind} must be an http(s) or tg:// link: {value[:80]}")
        return NewItem(self.kind, value, self.signal_type)


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    platform: str
    legal_ground: str
    policy: SlaPolicy
    items: tuple[NewItem, ...]
    case_id: int | None = None
    note: str | None = None

    def checked(self) -> NoticeDraft:
        if not self.items:
            raise InvalidInput("a notice lists at least one item")
        if len(self.items) > MAX_ITEMS:
            raise InvalidInput(f"a notice lists at most {MAX_ITEMS} items")
        unique = tuple(dict.fromkeys(item.checked() for item in self.items))
        note = _clean(self.note, "note", MAX_TEXT) if self.note and self.note.strip() else None
        return NoticeDraft(
            platform=_clean(self.platform, "platform", 200),
            legal_ground=_clean(self.legal_ground, "legal ground", MAX_TEXT),
            policy=self.policy,
            items=unique,
            case_id=self.case_id,
            note=note,
        )


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What the platform did with one item. A refusal must say why."""

    item_id: int
    outcome: Outcome
    reason: str | None = None

    def checked(self) -> ItemOutcome:
        reason = self.reason.strip() if self.reason else None
        if self.outcome is Outcome.REFUSED and not reason:
            raise InvalidInput(f"item {self.item_id}: a refusal needs a reason")
        if reason is not None:
            reason = _clean(reason, "reason", MAX_TEXT)
        return ItemOutcome(self.item_id, self.outcome, reason)


def check_outcomes(outcomes: Sequence[ItemOutcome]) -> list[ItemOutcome]:
    if not outcomes:
        raise InvalidInput("report at least one item outcome")
    ids = [o.item_id for o in outcomes]
    if len(set(ids)) != len(ids):
        raise InvalidInput("each item may appear once per report")
    return [o.checked() for o in outcomes]


@dataclass(frozen=True, slots=True)
class NoticeItem:
    id: int
    kind: ItemKind
    value: str
    signal_type: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None
    outcome_at: float | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """One SLA clock of one notice."""

    started_at: float
    due_at: float
    done_at: float | None

    def overdue(self, now: float) -> bool:
        """Still running and past its due time."""
        return self.done_at is None and now > self.due_at

    @property
    def late(self) -> bool:
        """Stopped, but after its due time."""
        return self.done_at is not None and self.done_at > self.due_at

    def remaining(self, now: float) -> float:
        """Seconds until due (negative: overdue by that much); measured to the stop if stopped."""
        return self.due_at - (self.done_at if self.done_at is not None else now)

    @property
    def took(self) -> float | None:
        return None if self.done_at is None else self.done_at - self.started_at


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    from_org_id: int
    from_org: str
    to_org_id: int
    to_org: str
    legal_ground: str
    policy: SlaPolicy
    sent_at: float
    ack_due_at: float
    act_due_at: float
    escalate_at: float
    items: tuple[NoticeItem, ...]
    case_id: int | None = None
    note: str | None = None
    acknowledged_at: float | None = None
    acted_at: float | None = None
    escalated_at: float | None = None

    @property
    def stage(self) -> Stage:
        if self.acted_at is not None:
            return Stage.ACTED
        return Stage.RECEIVED if self.acknowledged_at is None else Stage.ACKNOWLEDGED

    @property
    def ack_clock(self) -> Clock:
        return Clock(self.sent_at, self.ack_due_at, self.acknowledged_at)

    @property
    def act_clock(self) -> Clock:
        return Clock(self.sent_at, self.act_due_at, self.acted_at)

    def needs_escalation(self, now: float) -> bool:
        """Unanswered past the act deadline plus the policy's grace: tell the supervisor."""
        return self.acted_at is None and now > self.escalate_at

    def count(self, outcome: Outcome) -> int:
        return sum(1 for i in self.items if i.outcome is outcome)

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.outcome is not None)

    def slowest(self, outcome: Outcome | None = None) -> float | None:
        """Longest time from receipt to an item's (latest) outcome, optionally of one kind."""
        times = [
            i.outcome_at - self.sent_at
            for i in self.items
            if i.outcome_at is not None and (outcome is None or i.outcome is outcome)
        ]
        return max(times, default=None)

    def item(self, item_id: int) -> NoticeItem | None:
        return next((i for i in self.items if i.id == item_id), None)
