"""Subscriber side: exchange sources (what to poll, how far to trust it), the review list of held
hashes (review mode and flood quarantine) with bulk approve/reject, and feedback to sources.

A source's token is either referenced by the name of an environment variable (never stored) or
sealed with the instance's exchange key; it is opened only in memory, for one poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from haechi.domain.banks import ENABLED_TS
from haechi.domain.errors import HaechiError, InvalidInput, NotFound
from haechi.domain.federation import (
    ImportState,
    SourceKind,
    TrustMode,
    Verdict,
    validate_interval,
    validate_source_name,
)
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.banks import BankService
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_federation import (
    Credentials,
    ImportRecord,
    Source,
    SourceClient,
    TokenBox,
)

MAX_DECIDE = 1000
FEEDBACK_KINDS = frozenset({SourceKind.HAECHI, SourceKind.STOPNCII})
FEEDBACK_BATCH = 500


@dataclass(frozen=True, slots=True)
class SourceInput:
    name: str
    kind: str
    url: str
    bank: str
    trust_mode: str = TrustMode.REVIEW.value
    poll_interval_s: float = 300.0
    token: str | None = None
    token_env: str | None = None
    flood_per_hour: int | None = None
    public_key_pem: str | None = None
    config: dict[str, Any] | None = None


def _enum(cls: type[SourceKind] | type[TrustMode], value: str, what: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise InvalidInput(f"{what} must be one of {[v.value for v in cls]}") from None


class SourceService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        banks: BankService,
        tokens: TokenBox,
        env: Mapping[str, str],
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._tokens = tokens
        self._env = env
        self._now = now

    # -- configuration --------------------------------------------------------------------------
    def add(self, principal: Principal, spec: SourceInput) -> Source:
        principal.require(Permission.EXCHANGE_ADMIN)
        kind = _enum(SourceKind, spec.kind, "kind")
        if kind is SourceKind.HAECHI and not spec.url.startswith(("https://", "http://")):
            raise InvalidInput("a haechi source needs the publisher's base URL (https://…)")
        if spec.token and spec.token_env:
            raise InvalidInput("give a token or the name of the variable holding it, not both")
        if spec.flood_per_hour is not None and spec.flood_per_hour < 0:
            raise InvalidInput("flood_per_hour must be zero or more")
        now = self._now()
        with self._uow() as uow:
            bank = uow.banks.get_bank(spec.bank)
            if bank is None:
                raise NotFound(f"bank '{spec.bank}' not found")
            source = uow.federation.add_source(
                Source(
                    id=0,
                    org_id=principal.org_id,
                    name=validate_source_name(spec.name),
                    kind=kind,
                    url=spec.url.rstrip("/"),
                    trust_mode=_enum(TrustMode, spec.trust_mode, "trust_mode"),
                    bank_id=bank.id,
                    poll_interval_s=validate_interval(spec.poll_interval_s),
                    created_at=now,
                    token_env=spec.token_env,
                    token_sealed=self._tokens.seal(spec.token) if spec.token else None,
                    flood_per_hour=spec.flood_per_hour,
                    public_key_pem=spec.public_key_pem,
                    config=dict(spec.config or {}),
                    next_poll_at=now,
                )
            )
            record(uow, principal, "exchange.source.add", "exchange_source", source.name,
                   kind=kind.value, trust_mode=source.trust_mode.value, bank=bank.name)  # fmt: skip
        return source

    def list_sources(self, principal: Principal) -> list[Source]:
        principal.require(Permission.EXCHANGE_ADMIN)
        with self._uow() as uow:
            return uow.federation.list_sources(principal.org_id)

    def get(self, principal: Principal, name: str) -> Source:
        principal.require(Permission.EXCHANGE_ADMIN)
        with self._uow() as uow:
            return _own_source(uow, principal, name)

    def update(
        self,
        principal: Principal,
        name: str,
        *,
        trust_mode: str | None = None,
        enabled: bool | None = None,
        flood_per_hour: int | None = None,
        poll_interval_s: float | None = None,
    ) -> Source:
        principal.require(Permission.EXCHANGE_ADMIN)
        with self._uow() as uow:
            source = _own_source(uow, principal, name)
            if trust_mode is not None:
                source.trust_mode = _enum(TrustMode, trust_mode, "trust_mode")
            if enabled is not None:
                source.enabled = enabled
            if flood_per_hour is not None:
                if flood_per_hour < 0:
                    raise InvalidInput("flood_per_hour must be zero or more")
                source.flood_per_hour = flood_per_hour
            if poll_interval_s is not None:
                source.poll_interval_s = validate_interval(poll_interval_s)
            uow.federation.save_source(source)
            record(uow, principal, "exchange.source.update", "exchange_source", name,
                   trust_mode=source.trust_mode.value, enabled=source.enabled)  # fmt: skip
        return source

    def delete(self, principal: Principal, name: str) -> None:
        principal.require(Permission.EXCHANGE_ADMIN)
        with self._uow() as uow:
            source = _own_source(uow, principal, name)
            uow.federation.delete_source(source.id)
            record(uow, principal, "exchange.source.delete", "exchange_source", name)

    def credentials(self, source: Source) -> Credentials:
        token = None
        if source.token_env:
            token = self._env.get(source.token_env)
            if not token:
                raise HaechiError(f"environment variable {source.token_env} is not set")
        elif source.token_sealed:
            token = self._tokens.open(source.token_sealed)
        return Credentials(source.url, token, source.public_key_pem, dict(source.config))

    # -- review of held hashes ------------------------------------------------------------------
    def held(
        self, principal: Principal, *, source: str | None = None, limit: int = 200, after: int = 0
    ) -> list[tuple[ImportRecord, str]]:
        """Hashes waiting for a person (review mode or flood quarantine), oldest first."""
        principal.require(Permission.EXCHANGE_ADMIN)
        with self._uow() as uow:
            mine = {s.id: s.name for s in uow.federation.list_sources(principal.org_id)}
            source_id = None
            if source is not None:
                source_id = _own_source(uow, principal, source).id
            rows = uow.federation.imports(
                source_id=source_id, state=ImportState.PENDING, limit=limit, after_id=after
            )
        return [(r, mine[r.source_id]) for r in rows if r.source_id in mine]

    def decide(self, principal: Principal, import_ids: Sequence[int], *, approve: bool) -> int:
        """Approve (start matching) or reject (withdraw) held hashes in bulk; returns how many."""
        principal.require(Permission.EXCHANGE_ADMIN)
        if not 1 <= len(import_ids) <= MAX_DECIDE:
            raise InvalidInput(f"decide on between 1 and {MAX_DECIDE} hashes at once")
        at, decided = self._now(), 0
        with self._uow() as uow:
            mine = {s.id for s in uow.federation.list_sources(principal.org_id)}
            for item in uow.federation.get_imports(import_ids):
                if item.source_id not in mine or item.state is not ImportState.PENDING:
                    continue
                self._settle(uow, item, approve)
                state = ImportState.ACTIVE if approve else ImportState.REJECTED
                uow.federation.set_import(item.id, state=state, at=at, by=principal.actor)
                decided += 1
            record(uow, principal, "exchange.review", "exchange_import", len(import_ids),
                   approve=approve, decided=decided, ids=list(import_ids)[:100])  # fmt: skip
        self._banks.changed()
        return decided

    def _settle(self, uow: UnitOfWork, item: ImportRecord, approve: bool) -> None:
        if item.content_id is None:
            return
        if not approve:
            self._banks.withdraw_in(uow, [item.content_id])
            return
        for content in uow.banks.get_contents([item.content_id]):
            content.disable_until_ts = ENABLED_TS
            uow.banks.update_content(content)

    # -- feedback to sources --------------------------------------------------------------------
    def feedback(self, principal: Principal, import_id: int, verdict: str) -> ImportRecord:
        """Queue a verdict on a received hash for its source (sent at once when possible)."""
        principal.require(Permission.EXCHANGE_ADMIN)
        try:
            value = Verdict(verdict)
        except ValueError:
            raise InvalidInput(f"verdict must be one of {[v.value for v in Verdict]}") from None
        with self._uow() as uow:
            found = uow.federation.get_imports([import_id])
            mine = {s.id for s in uow.federation.list_sources(principal.org_id)}
            if not found or found[0].source_id not in mine:
                raise NotFound("no such imported hash")
            source = uow.federation.get_source_by_id(found[0].source_id)
            if source is None or source.kind not in FEEDBACK_KINDS:
                raise InvalidInput("this kind of source does not take feedback through haechi")
            uow.federation.add_outgoing(
                source_id=found[0].source_id, remote_id=found[0].remote_id, verdict=value,
                at=self._now(),
            )  # fmt: skip
            record(uow, principal, "exchange.feedback.queue", "exchange_import", import_id,
                   verdict=value.value)  # fmt: skip
        return found[0]

    def push_feedback(self, source: Source, creds: Credentials, client: SourceClient) -> int:
        """Send queued verdicts to the source; they stay queued if it refuses."""
        sent = 0
        while True:
            with self._uow() as uow:
                batch = uow.federation.pending_outgoing(source.id, FEEDBACK_BATCH)
            if not batch:
                return sent
            client.send_feedback(creds, batch)
            with self._uow() as uow:
                uow.federation.mark_sent([b.id for b in batch], self._now())
            sent += len(batch)
            if len(batch) < FEEDBACK_BATCH:
                return sent

    def source_by_id(self, source_id: int) -> Source:
        with self._uow() as uow:
            source = uow.federation.get_source_by_id(source_id)
        if source is None:
            raise NotFound("no such source")
        return source


def _own_source(uow: UnitOfWork, principal: Principal, name: str) -> Source:
    source = uow.federation.get_source(name)
    if source is None:
        raise NotFound(f"no exchange source '{name}'")
    if source.org_id != principal.org_id:
        raise NotFound(f"no exchange source '{name}'")  # another tenant's: not revealed
    return source
