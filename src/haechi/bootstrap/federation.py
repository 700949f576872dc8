"""Builds federation (issue 9): the publisher (feed signed with the instance's Ed25519 key), the
subscriber's sources with their transports (other haechi instances through the SSRF guard; StopNCII,
NCMEC and ThreatExchange when the `exchanges` extra is installed), and the poll job handler."""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence

from haechi.adapters.exchanges.haechi_peer import HaechiPeerClient
from haechi.adapters.exchanges.token_box import FernetTokenBox
from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.adapters.signing import FileKeySigner
from haechi.config import Settings
from haechi.domain.errors import HaechiError
from haechi.domain.federation import SourceKind
from haechi.domain.signals import SignalRegistry
from haechi.services.bank_io import BankTransfer
from haechi.services.banks import BankService
from haechi.services.federation_bundle import FederationServices
from haechi.services.federation_flood import WriteFloodGate, WriteReviewService
from haechi.services.federation_poll import PollService
from haechi.services.federation_publish import PublisherService
from haechi.services.federation_sources import SourceService
from haechi.services.jobs import JobService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_federation import (
    Credentials,
    OutgoingFeedback,
    RemotePage,
    SourceClient,
    TokenBox,
)
from haechi.services.te_dataset import TeDataset

log = logging.getLogger(__name__)

#: used only outside production (production refuses to seal tokens without its own key)
DEV_EXCHANGE_KEY = "haechi-development-exchange-key, not a secret"


class _NoKeyTokenBox:
    """Production without HAECHI_EXCHANGE_SECRET_KEY: tokens must be referenced by variable."""

    def seal(self, token: str) -> str:
        raise HaechiError("set HAECHI_EXCHANGE_SECRET_KEY to store source tokens, or use token_env")

    def open(self, sealed: str) -> str:
        raise HaechiError("HAECHI_EXCHANGE_SECRET_KEY is not set: cannot open a stored token")


def token_box(settings: Settings) -> TokenBox:
    if settings.exchange_secret_key:
        return FernetTokenBox(settings.exchange_secret_key)
    if settings.environment == "production":
        return _NoKeyTokenBox()
    return FernetTokenBox(DEV_EXCHANGE_KEY)


def clients(settings: Settings) -> dict[SourceKind, SourceClient]:
    policy = FetchPolicy(
        timeout_s=settings.exchange_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.fetch_allow_private,
        allowed_hosts=tuple(settings.fetch_allowed_hosts),
    )
    found: dict[SourceKind, SourceClient] = {SourceKind.HAECHI: HaechiPeerClient(policy)}
    if importlib.util.find_spec("threatexchange") is None:
        log.info("StopNCII/NCMEC/ThreatExchange sources need: pip install 'haechi[exchanges]'")
        return found
    check = GuardedFetcher(policy).check
    for kind in (SourceKind.STOPNCII, SourceKind.NCMEC, SourceKind.THREATEXCHANGE):
        found[kind] = _Lazy(kind, check)
    return found


class _Lazy:
    """Imports the threatexchange package (over a second) only when such a source is polled."""

    def __init__(self, kind: SourceKind, check: Callable[[str], object]) -> None:
        self._kind, self._check = kind, check
        self._client: SourceClient | None = None

    def _get(self) -> SourceClient:
        if self._client is None:
            from haechi.adapters.exchanges import threatexchange_sources as te

            made: dict[SourceKind, Callable[[], SourceClient]] = {
                SourceKind.STOPNCII: lambda: te.StopNCIIClient(self._check),
                SourceKind.NCMEC: te.NCMECClient,
                SourceKind.THREATEXCHANGE: lambda: te.ThreatExchangeClient(self._check),
            }
            self._client = made[self._kind]()
        return self._client

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
        return self._get().pages(creds, checkpoint)

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        self._get().send_feedback(creds, items)


def bank_service(
    settings: Settings,
    uow: UnitOfWorkFactory,
    registry: SignalRegistry,
    on_change: Callable[[], object],
) -> BankService:
    """The bank service, with flood control of direct writes when a limit is set."""
    limit = settings.bank_write_flood_per_hour
    gate = None if limit is None else WriteFloodGate(per_hour=limit)
    return BankService(uow_factory=uow, registry=registry, on_change=on_change, gate=gate)


def build_federation(
    settings: Settings,
    uow: UnitOfWorkFactory,
    *,
    banks: BankService,
    transfer: BankTransfer,
    jobs: JobService,
    on_enqueue: Callable[[], object],
) -> FederationServices:
    sources = SourceService(
        uow_factory=uow, banks=banks, tokens=token_box(settings), env=os.environ
    )
    bundle = FederationServices(
        publisher=PublisherService(
            uow_factory=uow, signer=FileKeySigner(settings.evidence_key_path)
        ),
        sources=sources,
        poller=PollService(
            uow_factory=uow,
            banks=banks,
            sources=sources,
            clients=clients(settings),
            default_flood_per_hour=settings.exchange_flood_per_hour,
            on_enqueue=on_enqueue,
        ),
        dataset=TeDataset(transfer=transfer),
        writes=WriteReviewService(uow_factory=uow, banks=banks, now=time.time),
        uow_factory=uow,
        jobs=jobs,
    )
    bundle.register_jobs()
    return bundle
