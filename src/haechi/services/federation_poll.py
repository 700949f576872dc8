"""Subscriber side: poll a source and apply what it sent, page by page, with its checkpoint.

Each page is applied in one transaction together with the checkpoint that follows it, so a poll
that fails part-way resumes after the last page applied and never applies a page twice. A new hash
lands in the source's target bank according to the source's trust mode (auto: matching at once;
review: held disabled for a person; notify: recorded, never matched) and flood control (above the
source's hourly limit, new hashes are quarantined like review-mode ones). A retraction withdraws
the local copy at once (the matcher refreshes before `poll` returns).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from haechi.domain.banks import DISABLED_TS, Bank
from haechi.domain.errors import Conflict, HaechiError, NotFound
from haechi.domain.federation import FeedOp, FloodPolicy, ImportState, SourceKind, initial_state
from haechi.domain.webhooks import Event
from haechi.services import webhooks
from haechi.services.audit import record_as
from haechi.services.banks import BankService
from haechi.services.federation_sources import SourceService
from haechi.services.ports import NewContent, UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_federation import (
    ImportRecord,
    RemoteItem,
    RemotePage,
    Source,
    SourceClient,
)

log = logging.getLogger(__name__)
HOUR = 3600.0
LEASE_S = 600.0


@dataclass(slots=True)
class PollReport:
    source: str
    pages: int = 0
    added: int = 0
    pending: int = 0
    quarantined: int = 0
    notified: int = 0
    retracted: int = 0
    skipped: int = 0
    feedback_sent: int = 0
    checkpoint: str | None = None
    errors: list[str] = field(default_factory=list)


class PollService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        banks: BankService,
        sources: SourceService,
        clients: Mapping[SourceKind, SourceClient],
        default_flood_per_hour: int,
        on_enqueue: Callable[[], object] = lambda: None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._sources = sources
        self._clients = clients
        self._default_flood = default_flood_per_hour
        self._on_enqueue = on_enqueue
        self._now = now

    def poll(self, name: str) -> PollReport:
        """Poll one source now (raises on transport errors, after recording them)."""
        with self._uow() as uow:
            source = uow.federation.get_source(name)
            if source is None:
                raise NotFound(f"no exchange source '{name}'")
            if not uow.federation.claim_source(
                source.id, now=self._now(), lease_until=self._now() + LEASE_S
            ):
                raise Conflict(f"source '{name}' is being polled by another worker")
        try:
            return self._poll_claimed(source)
        finally:
            with self._uow() as uow:
                uow.federation.release_source(source.id)
            self._banks.changed()

    def poll_due(self, limit: int = 20) -> list[PollReport]:
        """Poll every source whose interval has passed; one failing source does not stop others."""
        with self._uow() as uow:
            due = uow.federation.due_sources(self._now(), limit)
        reports = []
        for source in due:
            try:
                reports.append(self.poll(source.name))
            except HaechiError as e:
                log.warning("exchange source %s: %s", source.name, e.message)
        return reports

    def flush_feedback(self, source_id: int) -> int:
        """Send a source's queued verdicts now (they stay queued if it refuses)."""
        source = self._sources.source_by_id(source_id)
        client = self._clients.get(source.kind)
        if client is None:
            return 0
        return self._sources.push_feedback(source, self._sources.credentials(source), client)

    def _poll_claimed(self, source: Source) -> PollReport:
        report = PollReport(source.name, checkpoint=source.checkpoint)
        client = self._clients.get(source.kind)
        try:
            if client is None:
                raise HaechiError(f"no client for {source.kind} sources is installed")
            creds = self._sources.credentials(source)
            for page in client.pages(creds, source.checkpoint):
                self._apply(source, page, report)
                source.checkpoint = page.checkpoint
            report.feedback_sent = self._sources.push_feedback(source, creds, client)
        except Exception as e:
            # recorded whatever it was (a library's parse error too), so the source waits for its
            # interval instead of being retried at every scheduling tick
            message = e.message if isinstance(e, HaechiError) else f"{type(e).__name__}: {e}"
            report.errors.append(message[:500])
            self._finish(source, error=message[:500])
            raise
        self._finish(source, error=None)
        return report

    def _finish(self, source: Source, *, error: str | None) -> None:
        now = self._now()
        with self._uow() as uow:
            current = uow.federation.get_source_by_id(source.id)
            if current is None:
                return
            current.last_polled_at, current.last_error = now, error
            current.next_poll_at = now + current.poll_interval_s
            uow.federation.save_source(current)

    def _limit(self, source: Source) -> int:
        return self._default_flood if source.flood_per_hour is None else source.flood_per_hour

    # -- applying one page ----------------------------------------------------------------------
    def _apply(self, source: Source, page: RemotePage, report: PollReport) -> None:
        before = (report.added, report.pending, report.quarantined, report.notified)
        with self._uow() as uow:
            bank = uow.banks.get_bank_by_id(source.bank_id)
            if bank is None:
                raise NotFound("the source's target bank no longer exists")
            flood = FloodPolicy(self._limit(source))
            live = uow.federation.count_live_since(source.id, self._now() - HOUR)
            for item in page.items:
                if item.op is FeedOp.RETRACT:
                    report.retracted += self._retract(uow, source, item)
                else:
                    live += self._add(uow, source, bank, item, flood.admits(live), report)
            current = uow.federation.get_source_by_id(source.id)
            if current is not None:
                current.checkpoint = page.checkpoint
                uow.federation.save_source(current)
            report.pages += 1
            report.checkpoint = page.checkpoint
            self._announce(uow, source, before, report)
        self._banks.changed()

    def _add(
        self,
        uow: UnitOfWork,
        source: Source,
        bank: Bank,
        item: RemoteItem,
        flood_ok: bool,
        report: PollReport,
    ) -> int:
        """Apply one add; returns 1 when the hash went live (it counts against the flood limit)."""
        existing = uow.federation.find_import(source.id, item.remote_id)
        if existing is not None and existing.state is not ImportState.RETRACTED:
            report.skipped += 1  # already have it (a re-sent page, or an unchanged record)
            return 0
        signals = self._usable(item.signals)
        if not signals:
            report.skipped += 1
            return 0
        state = initial_state(source.trust_mode, flood_ok=flood_ok)
        quarantined = state is ImportState.PENDING and source.trust_mode.value == "auto"
        content_id = None
        if state is not ImportState.NOTIFIED:
            content_id = self._bank_content(uow, source, bank, item, signals, state)
        now = self._now()
        if existing is not None:  # re-added after a retraction
            uow.federation.set_import(
                existing.id, state=state, at=now, by=None, content_id=content_id
            )
        else:
            uow.federation.add_import(
                ImportRecord(
                    0, source.id, item.remote_id, content_id, state, signals, quarantined, now
                )
            )
        _count(report, state, quarantined)
        return 1 if state is ImportState.ACTIVE else 0

    def _bank_content(
        self,
        uow: UnitOfWork,
        source: Source,
        bank: Bank,
        item: RemoteItem,
        signals: dict[str, str],
        state: ImportState,
    ) -> int:
        metadata = {"exchange": source.name, "remote_id": item.remote_id}
        if item.regions:
            metadata["regions"] = list(item.regions)  # type: ignore[assignment]
        content = self._banks.add_content_in(
            uow,
            bank.name,
            NewContent(signals=signals, metadata=metadata, source=f"exchange:{source.name}"),
        )
        if state is ImportState.PENDING:
            content.disable_until_ts = DISABLED_TS
            uow.banks.update_content(content)
        return content.id

    def _retract(self, uow: UnitOfWork, source: Source, item: RemoteItem) -> int:
        existing = uow.federation.find_import(source.id, item.remote_id)
        if existing is None or existing.state is ImportState.RETRACTED:
            return 0
        if existing.content_id:
            self._banks.withdraw_in(uow, [existing.content_id])
        uow.federation.set_import(
            existing.id, state=ImportState.RETRACTED, at=self._now(), by=f"source:{source.name}"
        )
        return 1

    def _usable(self, signals: dict[str, str]) -> dict[str, str]:
        """The signals this instance can match, canonicalised; anything else is dropped."""
        usable: dict[str, str] = {}
        for name, value in signals.items():
            try:
                usable.update(self._banks.validate_signals({name: value}))
            except HaechiError:
                continue
        return usable

    def _announce(
        self, uow: UnitOfWork, source: Source, before: tuple[int, ...], report: PollReport
    ) -> None:
        added, pending, quarantined, notified = (
            report.added - before[0],
            report.pending - before[1],
            report.quarantined - before[2],
            report.notified - before[3],
        )
        actor, at = f"exchange:{source.name}", self._now()
        record_as(
            uow, actor, source.org_id, "exchange.poll", "exchange_source", source.name,
            added=added, pending=pending, quarantined=quarantined, notified=notified,
            checkpoint=report.checkpoint,
        )  # fmt: skip
        events = []
        if quarantined:
            log.warning("exchange source %s: %d new hashes quarantined", source.name, quarantined)
            limit = self._limit(source)
            record_as(
                uow, actor, source.org_id, "exchange.flood", "exchange_source", source.name,
                quarantined=quarantined, limit_per_hour=limit,
            )  # fmt: skip
            events.append((Event.EXCHANGE_FLOOD, quarantined))
        if pending:
            events.append((Event.EXCHANGE_REVIEW, pending))
        if notified:
            events.append((Event.EXCHANGE_NOTIFY, notified))
        for event, count in events:
            data = {"source": source.name, "count": count}
            webhooks.enqueue(uow, org_id=source.org_id, event=event, data=data, at=at)
        if events:
            self._on_enqueue()


def _count(report: PollReport, state: ImportState, quarantined: bool) -> None:
    if state is ImportState.ACTIVE:
        report.added += 1
    elif state is ImportState.NOTIFIED:
        report.notified += 1
    elif quarantined:
        report.quarantined += 1
    else:
        report.pending += 1
