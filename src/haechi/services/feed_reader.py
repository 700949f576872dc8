"""Reads the bank change feed, losing no late commit: for the Matcher (an in-memory cursor) and
the federation publisher (a cursor it loads from and saves to the database around `read_in`).

Each `read` returns one page past the cursor together with rows that have since filled gaps (see
domain/change_feed.py), and the current state of the banks and content they point at, loaded in
the same transaction. The consumer applies the page, then calls `done(page)` to advance the cursor,
so a page that failed to apply is read again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from haechi.domain.banks import Bank, BankContent
from haechi.domain.change_feed import FeedCursor
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedPage:
    changes: int
    banks: dict[int, Bank | None]  # bank id -> its state now (None: deleted)
    content_ids: list[int]  # every content id the page names
    contents: list[BankContent]  # the ones that still exist
    more: bool  # a full page: read again
    late: tuple[int, ...]  # gap numbers this page filled
    fresh: tuple[int, ...]  # numbers past the cursor


class FeedReader:
    def __init__(self, uow_factory: UnitOfWorkFactory, *, wait_s: float, page: int) -> None:
        self._uow = uow_factory
        self._page = page
        self.cursor = FeedCursor(wait_s=wait_s)

    def restart_at(self, position: int, *, rewind: int) -> None:
        """Start `rewind` numbers below `position`: transactions in flight when the database or
        snapshot was read may hold numbers below it. Re-applying a change is harmless."""
        self.cursor = FeedCursor(position=max(0, position - rewind), wait_s=self.cursor.wait_s)

    def safe_position(self) -> int:
        """The position a snapshot may claim: below any gap that may still commit."""
        return min([self.cursor.position, *(g - 1 for g in self.cursor.gaps)])

    def read(self) -> FeedPage:
        with self._uow() as uow:
            return self.read_in(uow)

    def read_in(self, uow: UnitOfWork) -> FeedPage:
        """`read` inside the caller's transaction (one that also holds the cursor's lock)."""
        cursor = self.cursor
        late = uow.banks.changes_at(cursor.pending()) if cursor.gaps else []
        fresh = uow.banks.changes_since(cursor.position, self._page)
        changes = late + fresh
        bank_ids = {b for _, b, _ in changes if b is not None}
        content_ids = sorted({c for _, _, c in changes if c is not None})
        banks = {bid: uow.banks.get_bank_by_id(bid) for bid in bank_ids}
        contents = uow.banks.get_contents(content_ids)
        return FeedPage(
            changes=len(changes),
            banks=banks,
            content_ids=content_ids,
            contents=contents,
            more=len(fresh) == self._page,
            late=tuple(seq for seq, _, _ in late),
            fresh=tuple(seq for seq, _, _ in fresh),
        )

    def done(self, page: FeedPage) -> None:
        now = time.time()
        self.cursor.filled(page.late)
        self.cursor.advance(page.fresh, now=now)
        if given_up := self.cursor.expire(now=now):
            log.warning("change feed: gave up waiting for %d numbers (rolled back)", len(given_up))
