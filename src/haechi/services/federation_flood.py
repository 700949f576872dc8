"""Flood control of direct bank writes: hashes an API caller (a token or a signed-in user) adds
through the bank API or HMA's curation routes count against an hourly limit; above it they are
added but held disabled for an instance operator to approve or reject in bulk.

Off unless `HAECHI_BANK_WRITE_FLOOD_PER_HOUR` is set. Writes by people deciding cases
(`case:…`), by the command line (`cli:…`) and from exchange sources (`exchange:…`, which have
their own per-source limit) are not counted. A rolling hour is the sum of 60 per-minute tallies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from haechi.domain.banks import DISABLED_TS, ENABLED_TS, BankContent
from haechi.domain.errors import Forbidden, InvalidInput
from haechi.domain.federation import FloodPolicy
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.services.audit import record, record_as
from haechi.services.banks import BankService
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_federation import HeldWrite

log = logging.getLogger(__name__)
GATED = ("token:", "user:")
MAX_DECIDE = 1000


class WriteFloodGate:
    """Passed to BankService: asked for every hash an API caller adds, inside its transaction."""

    def __init__(self, *, per_hour: int, now: Callable[[], float] = time.time) -> None:
        self._policy = FloodPolicy(per_hour)
        self._now = now

    def admit_in(self, uow: UnitOfWork, source: str | None) -> bool:
        if source is None or not source.startswith(GATED):
            return True
        minute = int(self._now() // 60)
        if not self._policy.admits(uow.federation.tally(source, since_minute=minute - 59)):
            return False
        uow.federation.bump_tally(source, minute=minute, count=1)
        if minute % 60 == 0:
            uow.federation.prune_tally(before_minute=minute - 120)
        return True

    def hold_in(self, uow: UnitOfWork, contents: Sequence[BankContent], source: str) -> None:
        """Hold hashes over the limit: disabled, listed for review, audited, logged."""
        for content in contents:
            content.disable_until_ts = DISABLED_TS
            uow.banks.update_content(content)
        ids = [c.id for c in contents]
        uow.federation.quarantine_writes(ids, source=source, at=self._now())
        record_as(
            uow, source, None, "bank.flood_quarantine", "bank", contents[0].bank_name,
            count=len(ids), limit_per_hour=self._policy.per_hour, ids=ids[:100],
        )  # fmt: skip
        log.warning("%s went over %d hashes/hour: %d held", source, self._policy.per_hour, len(ids))


class WriteReviewService:
    """The instance operators' list of held writes, with bulk approve (start matching) or reject
    (withdraw)."""

    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, banks: BankService, now: Callable[[], float]
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._now = now

    @staticmethod
    def _require(principal: Principal) -> None:
        principal.require(Permission.EXCHANGE_ADMIN)
        if principal.org_kind is not OrgKind.REGULATOR:
            raise Forbidden("only the instance's regulator organisations review held bank writes")

    def held(self, principal: Principal, *, limit: int = 200, after: int = 0) -> list[HeldWrite]:
        self._require(principal)
        with self._uow() as uow:
            return uow.federation.held_writes(limit=limit, after_id=after)

    def decide(self, principal: Principal, content_ids: Sequence[int], *, approve: bool) -> int:
        self._require(principal)
        if not 1 <= len(content_ids) <= MAX_DECIDE:
            raise InvalidInput(f"decide on between 1 and {MAX_DECIDE} hashes at once")
        with self._uow() as uow:
            ids = uow.federation.decide_writes(
                content_ids, approved=approve, at=self._now(), by=principal.actor
            )
            if approve:
                for content in uow.banks.get_contents(ids):
                    content.disable_until_ts = ENABLED_TS
                    uow.banks.update_content(content)
            else:
                self._banks.withdraw_in(uow, ids)
            record(uow, principal, "bank.flood_review", "bank_content", len(ids),
                   approve=approve, ids=ids[:100])  # fmt: skip
        self._banks.changed()
        return len(ids)
