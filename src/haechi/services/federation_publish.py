"""Publisher side of haechi-to-haechi exchange: grants, the signed feed, feedback received.

The feed is derived from the bank change feed, so every way content changes (API, HMA routes,
review decisions, imports, withdrawals) reaches subscribers without each path knowing about
federation. `sync` translates new change-feed rows into the publication log: an item that became
active is an `add`, one withdrawn, disabled or deleted (or whose bank was deleted) a `retract`.
Its change-feed cursor, open gaps included (domain/change_feed.py), lives in the database and is
loaded, advanced and saved in the transaction that writes the log, so a change committed late on
PostgreSQL is published by whichever process or restart comes next, and none is translated twice.
A subscriber reads only the banks granted to its organisation, filtered by the grant's regions;
its checkpoint is the last log sequence it was shown, so it resumes exactly where it stopped.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from haechi.domain.banks import BankContent
from haechi.domain.change_feed import FeedCursor
from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.federation import (
    FeedOp,
    Verdict,
    decode_checkpoint,
    encode_checkpoint,
    region_visible,
    validate_regions,
)
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.services.audit import record
from haechi.services.feed_reader import FeedPage as ChangePage
from haechi.services.feed_reader import FeedReader
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_federation import FeedbackStat, FeedEntry, Grant, Published
from haechi.services.ports_hotline import Signer

SYNC_PAGE = 2000
FEED_SYNC_PAGES = 5  # a feed request translates at most this many pages itself
MAX_FEED_PAGE = 1000
MAX_FEEDBACK_ITEMS = 1000
SIGNATURE_HEADER = "X-Haechi-Feed-Signature"


@dataclass(frozen=True, slots=True)
class FeedPage:
    entries: list[tuple[FeedEntry, str]]  # (entry, bank name)
    checkpoint: str
    more: bool


@dataclass(frozen=True, slots=True)
class GrantView:
    grant: Grant
    org_name: str
    bank_name: str


def content_regions(content: BankContent) -> tuple[str, ...]:
    """Regions an item is scoped to: `metadata.regions` (invalid values are not guessed at)."""
    raw = (content.metadata or {}).get("regions")
    try:
        return validate_regions(raw)
    except InvalidInput:
        return ()


class PublisherService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        signer: Signer | None,
        now: Callable[[], float] = time.time,
        gap_wait_s: float = 300.0,
    ) -> None:
        self._uow = uow_factory
        self._signer = signer
        self._now = now
        self._gap_wait_s = gap_wait_s
        self._lock = threading.Lock()  # this process's threads; the cursor's row lock: the rest
        self._behind = False  # the last sync stopped early: more changes wait for translation

    # -- grants ---------------------------------------------------------------------------------
    @staticmethod
    def can_publish(principal: Principal) -> bool:
        """Banks belong to the instance, so only its regulators' exchange admins share them."""
        return principal.can(Permission.EXCHANGE_ADMIN) and principal.org_kind is OrgKind.REGULATOR

    def _require_publisher(self, principal: Principal) -> None:
        principal.require(Permission.EXCHANGE_ADMIN)
        if not self.can_publish(principal):
            raise Forbidden("only the instance's regulator organisations publish banks")

    def grant(
        self, principal: Principal, *, org_name: str, bank_name: str, regions: object = None
    ) -> GrantView:
        self._require_publisher(principal)
        scope = validate_regions(regions)
        with self._uow() as uow:
            org = uow.tenancy.get_org_by_name(org_name)
            bank = uow.banks.get_bank(bank_name)
            if org is None or bank is None:
                raise NotFound("no such organisation or bank")
            grant = uow.federation.add_grant(
                org_id=org.id, bank_id=bank.id, regions=scope, at=self._now()
            )
            record(uow, principal, "exchange.grant", "bank", bank.name, org=org.name, regions=scope)
        return GrantView(grant, org.name, bank.name)

    def revoke(self, principal: Principal, grant_id: int) -> None:
        self._require_publisher(principal)
        with self._uow() as uow:
            if not uow.federation.delete_grant(grant_id):
                raise NotFound("grant not found")
            record(uow, principal, "exchange.revoke", "exchange_grant", grant_id)

    def grants(self, principal: Principal) -> list[GrantView]:
        self._require_publisher(principal)
        with self._uow() as uow:
            views = []
            for g in uow.federation.grants():
                org, bank = uow.tenancy.get_org(g.org_id), uow.banks.get_bank_by_id(g.bank_id)
                views.append(GrantView(g, org.name if org else "?", bank.name if bank else "?"))
        return views

    # -- the log --------------------------------------------------------------------------------
    def sync(self, *, max_pages: int | None = None) -> int:
        """Translate new change-feed rows into the publication log; returns entries written.

        Each page is one transaction: lock the stored cursor, read past it and its gaps (a change
        committed late, out of sequence order, on PostgreSQL), translate, save the cursor. Each
        item's current state is compared with what was last published, so translating a change
        twice writes nothing new. Stopping after `max_pages` is safe: later entries get later
        sequence numbers, so no checkpoint skips them.
        """
        with self._lock:
            written, pages, more = 0, 0, True
            while more and (max_pages is None or pages < max_pages):
                pages += 1
                with self._uow() as uow:
                    count, more = self._sync_page(uow)
                written += count
            self._behind = more
            return written

    def _sync_page(self, uow: UnitOfWork) -> tuple[int, bool]:
        position, gaps = uow.federation.publish_cursor()  # the lock: one translator at a time
        reader = FeedReader(self._uow, wait_s=self._gap_wait_s, page=SYNC_PAGE)
        reader.cursor = FeedCursor(position=position, wait_s=self._gap_wait_s, gaps=dict(gaps))
        page = reader.read_in(uow)
        written = self._translate(uow, page)
        reader.done(page)
        if (reader.cursor.position, reader.cursor.gaps) != (position, gaps):
            uow.federation.set_publish_cursor(reader.cursor.position, reader.cursor.gaps)
        return written, page.more

    def _translate(self, uow: UnitOfWork, page: ChangePage) -> int:
        at, written = self._now(), 0
        for bank_id, bank in page.banks.items():
            if bank is None:
                for item in uow.federation.published_active_in_bank(bank_id):
                    uow.federation.append_log(FeedOp.RETRACT, item, at=at)
                    written += 1
        contents = {c.id: c for c in page.contents}
        before = uow.federation.published(page.content_ids)
        for cid in page.content_ids:
            for op, item in _transitions(before.get(cid), contents.get(cid), at):
                uow.federation.append_log(op, item, at=at)
                written += 1
        return written

    # -- the feed -------------------------------------------------------------------------------
    def feed(self, principal: Principal, *, since: str | None, limit: int = 500) -> FeedPage:
        principal.require(Permission.EXCHANGE_READ)
        if not 1 <= limit <= MAX_FEED_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_FEED_PAGE}")
        after = decode_checkpoint(since)
        self.sync(max_pages=FEED_SYNC_PAGES)  # the background schedule translates the rest
        with self._uow() as uow:
            grants = {g.bank_id: g for g in uow.federation.grants(org_id=principal.org_id)}
            entries = uow.federation.log_page(bank_ids=list(grants), after_seq=after, limit=limit)
            names = {bid: _bank_name(uow, bid) for bid in grants}
        shown = [
            (e, names[e.bank_id])
            for e in entries
            if region_visible(e.regions, grants[e.bank_id].regions)
        ]
        last = entries[-1].seq if entries else after
        more = len(entries) == limit or self._behind
        return FeedPage(shown, encode_checkpoint(last), more=more)

    def sign(self, body: bytes) -> dict[str, str]:
        """Headers that let a subscriber check the page came from this instance, unaltered."""
        if self._signer is None:
            return {}
        sig = base64.b64encode(self._signer.sign(body)).decode()
        return {SIGNATURE_HEADER: f"keyid={self._signer.key_id},sig={sig}"}

    def public_key_pem(self) -> str:
        if self._signer is None:
            raise NotFound("this instance does not sign its feed")
        return self._signer.public_key_pem().decode()

    # -- feedback -------------------------------------------------------------------------------
    def receive_feedback(
        self, principal: Principal, items: Sequence[tuple[str, str]]
    ) -> dict[str, Any]:
        """Verdicts on hashes this organisation was sent; ids it was never sent are refused."""
        principal.require(Permission.EXCHANGE_READ)
        if not 1 <= len(items) <= MAX_FEEDBACK_ITEMS:
            raise InvalidInput(f"send between 1 and {MAX_FEEDBACK_ITEMS} feedback items")
        parsed = [(_content_id(remote), _verdict(verdict)) for remote, verdict in items]
        at, accepted, unknown = self._now(), 0, []
        with self._uow() as uow:
            banks = {g.bank_id for g in uow.federation.grants(org_id=principal.org_id)}
            known = uow.federation.published([cid for cid, _ in parsed])
            for cid, verdict in parsed:
                if cid not in known or known[cid].bank_id not in banks:
                    unknown.append(str(cid))
                    continue
                uow.federation.set_feedback(
                    org_id=principal.org_id, content_id=cid, verdict=verdict, at=at
                )
                accepted += 1
            record(uow, principal, "exchange.feedback", "exchange", "feed", accepted=accepted)
        return {"accepted": accepted, "unknown": unknown}

    def feedback_stats(
        self, principal: Principal, *, bank_name: str | None = None, limit: int = 200
    ) -> list[tuple[FeedbackStat, str]]:
        """Per shared hash: verdict counters and misfire rate, worst first."""
        self._require_publisher(principal)
        with self._uow() as uow:
            banks = {b.id: b.name for b in uow.banks.list_banks()}
            if bank_name is not None:
                banks = {k: v for k, v in banks.items() if v == bank_name}
                if not banks:
                    raise NotFound(f"bank '{bank_name}' not found")
            stats = uow.federation.feedback_stats(list(banks), limit=limit)
        return [(s, banks.get(s.bank_id, "")) for s in stats]


def _transitions(
    before: Published | None, content: BankContent | None, at: float
) -> list[tuple[FeedOp, Published]]:
    """What subscribers must be told about one changed item, given what they were last told."""
    was_active = before is not None and before.active
    if content is None or not content.enabled_at(at):
        return [(FeedOp.RETRACT, before)] if before is not None and was_active else []
    now = Published(
        content.id, content.bank_id, True, dict(content.signals), content_regions(content)
    )
    if before is None or not was_active:
        return [(FeedOp.ADD, now)]
    if (before.signals, before.regions, before.bank_id) == (now.signals, now.regions, now.bank_id):
        return []
    # scope or bank changed: retract under the old scope so subscribers outside the new one drop it
    return [(FeedOp.RETRACT, before), (FeedOp.ADD, now)]


def _bank_name(uow: UnitOfWork, bank_id: int) -> str:
    bank = uow.banks.get_bank_by_id(bank_id)
    return "" if bank is None else bank.name  # a deleted bank: only retractions remain


def _content_id(remote: str) -> int:
    if not isinstance(remote, str) or not remote.isdigit() or len(remote) > 18:
        raise InvalidInput(f"not an id from this feed: {remote!r}")
    return int(remote)


def _verdict(value: str) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:
        raise InvalidInput(f"verdict must be one of {[v.value for v in Verdict]}") from None
