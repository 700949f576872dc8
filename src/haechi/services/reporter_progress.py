"""How far each picture of a report has come, as its reporter may see it with case number and PIN.

Per picture: received (always, once filed); reviewed (a moderator confirmed it or found it not
illegal, or it was banked); hashes active (its bank content exists and is enabled, i.e. not
withdrawn or disabled); matched on N platforms (distinct named callers whose look-ups matched that
content, the intake's own look-ups excluded: a later report is not a platform finding the
picture); removed (a platform reported `removed` for it in a takedown notice sent from the case).

Only counts and yes/no answers leave this module: never a bank's, platform's or other reporter's
name, and only this report's own items are looked at.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from haechi.domain.cases import Case, CaseItem, ItemStatus
from haechi.domain.notices import ItemKind, NoticeItem, Outcome
from haechi.services.ports import UnitOfWork

#: the look-ups intake makes for a new report: not a platform's match
INTAKE_ROUTE = "intake"
_DECIDED = frozenset({ItemStatus.CONFIRMED_ILLEGAL, ItemStatus.NOT_ILLEGAL})


@dataclass(frozen=True, slots=True)
class PictureProgress:
    """One picture (item) of a report, in the reporter's terms."""

    status: ItemStatus
    reviewed: bool = False
    hashes_active: bool = False
    #: distinct platforms (named callers) whose look-ups matched it: a count, never names
    platforms_matched: int = 0
    removed: bool = False
    received: bool = True


def progress(
    uow: UnitOfWork, case: Case, items: Sequence[CaseItem], *, now: float
) -> list[PictureProgress]:
    """The progress of `items` (one report's items of `case`), in their order."""
    banked = [i.bank_content_id for i in items if i.bank_content_id is not None]
    active: set[int] = set()
    callers: dict[int, int] = {}
    if banked:
        active = {c.id for c in uow.banks.get_contents(banked) if c.enabled_at(now)}
        callers = uow.banks.matching_callers(banked, exclude_route=INTAKE_ROUTE)
    removed = uow.notices.items_with_outcome(case.id, Outcome.REMOVED)
    return [_picture(i, active, callers, removed) for i in items]


def _picture(
    item: CaseItem, active: Collection[int], callers: dict[int, int], removed: list[NoticeItem]
) -> PictureProgress:
    content = item.bank_content_id
    return PictureProgress(
        status=item.status,
        reviewed=item.status in _DECIDED or content is not None,
        hashes_active=content is not None and content in active,
        platforms_matched=callers.get(content, 0) if content is not None else 0,
        removed=any(_names(n, item) for n in removed),
    )


def _names(notice_item: NoticeItem, item: CaseItem) -> bool:
    """Whether a notice item names this case item (by a hash, its URL or its message link)."""
    value = notice_item.value.strip()
    if notice_item.kind is ItemKind.HASH:
        own = item.signals.get(notice_item.signal_type or "")
        return own is not None and own.lower() == value.lower()
    if notice_item.kind is ItemKind.URL:
        return item.url is not None and item.url == value
    if notice_item.kind is ItemKind.MESSAGE_LINK:
        return item.chat_link is not None and item.chat_link == value
    return False


__all__ = ["INTAKE_ROUTE", "PictureProgress", "progress"]
