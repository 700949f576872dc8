"""The one place that builds adapters and hands them to services (API server and CLI)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from fastapi import FastAPI
from sqlalchemy import Engine

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.adapters.hashers import (
    DecodeLimits,
    PdqSignal,
    default_content_types,
    default_signal_types,
)
from haechi.adapters.index.exact import ExactIndex
from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.adapters.index.pdq_mih import PdqMihIndex
from haechi.adapters.sql import migrate
from haechi.adapters.sql.engine import make_engine, make_session_factory
from haechi.adapters.sql.event_writer import BufferedEventWriter
from haechi.adapters.sql.uow import SqlUnitOfWorkFactory
from haechi.config import Settings
from haechi.domain.signals import SignalRegistry
from haechi.http.app import build_app
from haechi.http.context import AppServices, WebConfig
from haechi.jobs.index_refresh import start_refresher
from haechi.services.audit import AuditService
from haechi.services.auth import AuthService
from haechi.services.bank_io import BankTransfer
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService
from haechi.services.lookup import LookupService
from haechi.services.matching import Matcher
from haechi.services.ports import SignalIndex

log = logging.getLogger(__name__)


def make_index(signal_type: str, entries: Sequence[tuple[str, int]] = ()) -> SignalIndex:
    if signal_type == "pdq":
        hashes = np.frombuffer(b"".join(bytes.fromhex(v) for v, _ in entries), dtype=np.uint8)
        ids = np.fromiter((i for _, i in entries), dtype=np.int64, count=len(entries))
        return PdqMihIndex.build(
            hashes.reshape(-1, 32), ids, signal_type="pdq", max_radius=PdqSignal.max_threshold
        )
    index = ExactIndex(signal_type=signal_type)
    index.add(entries)
    return index


def _fetcher(settings: Settings) -> GuardedFetcher:
    return GuardedFetcher(
        FetchPolicy(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.fetch_allow_private,
            allowed_hosts=tuple(settings.fetch_allowed_hosts),
        )
    )


def _registry(settings: Settings) -> SignalRegistry:
    limits = DecodeLimits(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)
    return SignalRegistry(default_signal_types(limits), default_content_types())


@dataclass
class Container:
    settings: Settings
    engine: Engine
    registry: SignalRegistry
    uow: SqlUnitOfWorkFactory
    events: BufferedEventWriter
    matcher: Matcher
    banks: BankService
    transfer: BankTransfer
    hashing: HashingService
    lookup: LookupService
    auth: AuthService
    audit: AuditService

    def web_services(self) -> AppServices:
        s = self.settings
        return AppServices(
            registry=self.registry,
            banks=self.banks,
            transfer=self.transfer,
            hashing=self.hashing,
            lookup=self.lookup,
            matcher=self.matcher,
            auth=self.auth,
            audit=self.audit,
            web=WebConfig(
                open_access=s.open_access,
                token_digests=frozenset(
                    hashlib.sha256(t.encode()).hexdigest() for t in s.api_tokens
                ),
                max_upload_bytes=s.max_upload_bytes,
                index_stale_after_s=s.index_stale_after_s,
            ),
        )

    def snapshots(self) -> DirectorySnapshotStore | None:
        directory = self.settings.index_snapshot_dir
        return None if directory is None else DirectorySnapshotStore(directory)

    def close(self) -> None:
        self.events.stop()
        self.engine.dispose()


def build(settings: Settings | None = None, *, migrate_db: bool = True) -> Container:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    if migrate_db:
        migrate.upgrade(engine)
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    registry = _registry(settings)
    matcher = Matcher(registry=registry, index_factory=make_index, uow_factory=uow)
    events = BufferedEventWriter(uow)
    banks = BankService(uow_factory=uow, registry=registry, on_change=matcher.refresh)
    hashing = HashingService(
        registry=registry, fetcher=_fetcher(settings), max_upload_bytes=settings.max_upload_bytes
    )
    return Container(
        settings=settings,
        engine=engine,
        registry=registry,
        uow=uow,
        events=events,
        matcher=matcher,
        banks=banks,
        transfer=BankTransfer(uow_factory=uow, banks=banks, on_change=matcher.refresh),
        hashing=hashing,
        lookup=LookupService(
            registry=registry,
            matcher=matcher,
            hashing=hashing,
            events=events,
            uow_factory=uow,
            record_events=settings.record_match_events,
        ),
        auth=AuthService(uow_factory=uow),
        audit=AuditService(uow_factory=uow),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """ASGI factory (`uvicorn --factory haechi.bootstrap:create_app`)."""
    container = build(settings)

    @contextmanager
    def lifespan() -> Iterator[None]:
        container.matcher.load(container.snapshots())
        container.events.start()
        stop = start_refresher(container.matcher, interval_s=container.settings.index_refresh_s)
        try:
            yield
        finally:
            stop.set()
            container.close()

    app = build_app(container.web_services(), lifespan=lifespan)
    app.state.container = container
    return app


def local_hashing(settings: Settings) -> HashingService:
    """Hashing alone, without a database: for `haechi hash --local` on an offline machine."""
    fetcher = GuardedFetcher(FetchPolicy(allow_private=False))
    registry = _registry(settings)
    return HashingService(
        registry=registry, fetcher=fetcher, max_upload_bytes=settings.max_upload_bytes
    )


def migrate_database(container: Container, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the container's database to `revision`."""
    if down:
        migrate.downgrade(container.engine, revision)
    else:
        migrate.upgrade(container.engine, revision)
