"""The one place that builds adapters and hands them to services (API server and CLI)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy import Engine

from haechi.adapters.blobs import LocalBlobStore
from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.adapters.signing import FileKeySigner
from haechi.adapters.smtp import mailer_from
from haechi.adapters.sql import migrate
from haechi.adapters.sql.engine import make_session_factory
from haechi.adapters.sql.event_writer import BufferedEventWriter
from haechi.adapters.sql.uow import SqlUnitOfWorkFactory
from haechi.bootstrap import database, parts
from haechi.bootstrap.detectors import build_detection
from haechi.bootstrap.faces import build_faces, faces_withdrawn
from haechi.bootstrap.federation import bank_service, build_federation
from haechi.bootstrap.jobs import build_jobs, in_process_worker
from haechi.bootstrap.reliability import build_idempotency
from haechi.bootstrap.rooms import build_rooms
from haechi.bootstrap.scan import build_scans
from haechi.bootstrap.transparency import build_transparency
from haechi.bootstrap.video import build_videos, chain_filed
from haechi.config import Settings
from haechi.domain.credentials import hash_token
from haechi.domain.signals import SignalRegistry
from haechi.http.app import build_app
from haechi.http.context import AppServices, WebConfig
from haechi.jobs.exchange_schedule import start_scheduler
from haechi.jobs.index_refresh import start_refresher
from haechi.jobs.webhook_delivery import start_deliverer
from haechi.services.audit import AuditService
from haechi.services.auth import AuthService
from haechi.services.bank_io import BankTransfer
from haechi.services.banks import BankService
from haechi.services.board import BoardService
from haechi.services.detection_bundle import DetectionBundle
from haechi.services.face_bundle import FaceServices
from haechi.services.federation_bundle import FederationServices
from haechi.services.hashing import HashingService
from haechi.services.hotline_bundle import HotlineServices
from haechi.services.intake import IntakeService
from haechi.services.jobs import JobService
from haechi.services.le_bundle import LeServices
from haechi.services.lookup import LookupService
from haechi.services.matching import Matcher
from haechi.services.notices import NoticeService
from haechi.services.reporter import ReporterService
from haechi.services.review import ReviewService
from haechi.services.room_bundle import RoomServices
from haechi.services.scan import ScanService
from haechi.services.videos import VideoService
from haechi.services.webhooks import WebhookService

log = logging.getLogger(__name__)


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
    jobs: JobService = field(init=False)
    detection: DetectionBundle = field(init=False)
    scans: ScanService = field(init=False)
    videos: VideoService = field(init=False)
    intake: IntakeService = field(init=False)
    reporter: ReporterService = field(init=False)
    review: ReviewService = field(init=False)
    le: LeServices = field(init=False)
    hotline: HotlineServices = field(init=False)
    faces: FaceServices = field(init=False)
    federation: FederationServices = field(init=False)
    rooms: RoomServices = field(init=False)
    notices: NoticeService
    board: BoardService
    webhooks: WebhookService
    webhook_wake: threading.Event

    def __post_init__(self) -> None:
        self.jobs = build_jobs(self.settings, self.uow)
        self.scans = build_scans(self.settings, self.uow, self.registry, self.matcher)
        self.videos = build_videos(
            self.settings, self.uow, self.registry, self.hashing, self.banks, self.jobs, self.lookup
        )
        blobs = LocalBlobStore(self.settings.blob_dir)
        self.detection = build_detection(self.settings, self.uow, blobs, self.jobs)
        self.intake = IntakeService(
            uow_factory=self.uow,
            registry=self.registry,
            hashing=self.hashing,
            lookup=self.lookup,
            banks=self.banks,
            blobs=blobs,
            on_filed=chain_filed(self.detection.service.enqueue_report, self.videos.enqueue_report),
            after_filed=self.detection.service.wake,
        )
        self.reporter = ReporterService(
            uow_factory=self.uow, banks=self.banks, blobs=blobs, on_victim_withdraw=faces_withdrawn
        )
        self.review = ReviewService(uow_factory=self.uow, banks=self.banks, blobs=blobs)
        mailer, wake = mailer_from(self.settings), self.webhook_wake.set
        self.le = LeServices.build(
            uow_factory=self.uow, blobs=blobs, mailer=mailer, on_enqueue=wake
        )
        signer = FileKeySigner(self.settings.evidence_key_path)
        self.faces = build_faces(self.settings, self.uow, self.detection.registry)
        self.rooms = build_rooms(
            self.settings, self.uow, self.lookup, self.hashing, self.notices, wake
        )
        self.federation = build_federation(
            self.settings, self.uow, banks=self.banks, transfer=self.transfer, jobs=self.jobs,
            on_enqueue=wake,
        )  # fmt: skip
        self.hotline = HotlineServices.build(
            uow_factory=self.uow, blobs=blobs, signer=signer, settings=self.settings
        )

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
            intake=self.intake,
            reporter=self.reporter,
            review=self.review,
            notices=self.notices,
            board=self.board,
            webhooks=self.webhooks,
            public_guard=parts.public_guard(s),
            le=self.le,
            hotline=self.hotline,
            rooms=self.rooms,
            jobs=self.jobs,
            detection=self.detection,
            faces=self.faces,
            federation=self.federation,
            videos=self.videos,
            scans=self.scans,
            transparency=build_transparency(self.engine, self.uow),
            idempotency=build_idempotency(s, self.uow),
            web=WebConfig(
                open_access=s.open_access,
                token_digests=frozenset(hash_token(t) for t in s.api_tokens),
                max_upload_bytes=s.max_upload_bytes,
                index_stale_after_s=s.index_stale_after_s,
            ),
        )

    def snapshots(self) -> DirectorySnapshotStore | None:
        directory = self.settings.index_snapshot_dir
        return None if directory is None else DirectorySnapshotStore(directory)

    def start_webhooks(self) -> threading.Event:
        """The delivery loop in a thread (unless the interval is 0); set the event to stop it."""
        interval = self.settings.webhook_deliver_interval_s
        if interval <= 0:
            return threading.Event()
        stop, _thread = start_deliverer(
            self.webhooks,
            interval_s=interval,
            wake=self.webhook_wake,
            sweep=self._sweep,
        )
        return stop

    def _sweep(self) -> int:
        swept = self.notices.escalate_overdue() + self.le.dashboard.remind_preservations()
        return swept + self.faces.sweep_expired()

    def close(self) -> None:
        self.webhook_wake.set()
        self.events.stop()
        database.close(self.engine)


def build(settings: Settings | None = None, *, migrate_db: bool = True) -> Container:
    settings = settings or Settings()
    engine = database.engine(settings)
    if migrate_db:
        migrate.upgrade(engine)
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    registry = parts.registry(settings)
    matcher = Matcher(registry=registry, index_factory=parts.make_index, uow_factory=uow)
    events = BufferedEventWriter(uow)
    banks = bank_service(settings, uow, registry, matcher.refresh)
    hashing = parts.hashing(settings, registry)
    wake = threading.Event()
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
        notices=NoticeService(uow_factory=uow, registry=registry, on_enqueue=wake.set),
        board=BoardService(uow_factory=uow),
        webhooks=parts.webhooks(settings, uow),
        webhook_wake=wake,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """ASGI factory (`uvicorn --factory haechi.bootstrap:create_app`)."""
    parts.limit_blas_threads()
    container = build(settings)

    @contextmanager
    def lifespan() -> Iterator[None]:
        before = set(threading.enumerate())
        container.matcher.load(container.snapshots())
        container.events.start()
        stop = start_refresher(container.matcher, interval_s=container.settings.index_refresh_s)
        stop_webhooks = container.start_webhooks()
        stop_exchange = start_scheduler(
            container.federation, interval_s=container.settings.exchange_schedule_s
        )
        try:
            with in_process_worker(container.jobs, container.settings):
                yield
        finally:
            stop.set()
            stop_webhooks.set()
            stop_exchange.set()
            container.webhook_wake.set()
            _join_background(before)
            container.close()

    app = build_app(container.web_services(), lifespan=lifespan)
    app.state.container = container
    return app


def _join_background(before: set[threading.Thread], timeout_s: float = 10.0) -> None:
    """Wait for the loops this lifespan started, so none touches the engine after it closes."""
    loops = {"index-refresh", "webhook-delivery", "exchange-schedule"}
    for thread in set(threading.enumerate()) - before:
        if thread.name in loops:
            thread.join(timeout_s)


def local_hashing(settings: Settings) -> HashingService:
    """Hashing alone, without a database: for `haechi hash --local` on an offline machine."""
    fetcher = GuardedFetcher(FetchPolicy(allow_private=False))
    registry = parts.registry(settings)
    return HashingService(
        registry=registry,
        fetcher=fetcher,
        max_upload_bytes=max(settings.max_upload_bytes, settings.video_max_bytes),  # CLI checks
    )


def migrate_database(container: Container, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the container's database to `revision`."""
    if down:
        migrate.downgrade(container.engine, revision)
    else:
        migrate.upgrade(container.engine, revision)
