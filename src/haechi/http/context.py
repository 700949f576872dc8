"""What the HTTP layer is handed by bootstrap: services, never adapters."""

from __future__ import annotations

from dataclasses import dataclass

from haechi.domain.signals import SignalRegistry
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
from haechi.services.idempotency import IdempotencyService
from haechi.services.intake import IntakeService
from haechi.services.jobs import JobService
from haechi.services.le_bundle import LeServices
from haechi.services.lookup import LookupService
from haechi.services.matching import Matcher
from haechi.services.notices import NoticeService
from haechi.services.public_guard import PublicGuard
from haechi.services.reporter import ReporterService
from haechi.services.review import ReviewService
from haechi.services.room_bundle import RoomServices
from haechi.services.scan import ScanService
from haechi.services.transparency import TransparencyService
from haechi.services.videos import VideoService
from haechi.services.webhooks import WebhookService


@dataclass(frozen=True, slots=True)
class WebConfig:
    open_access: bool
    #: sha256 hex digests of accepted bearer tokens
    token_digests: frozenset[str]
    max_upload_bytes: int
    index_stale_after_s: float = 65.0


@dataclass(frozen=True, slots=True)
class AppServices:
    registry: SignalRegistry
    banks: BankService
    transfer: BankTransfer
    hashing: HashingService
    lookup: LookupService
    matcher: Matcher
    auth: AuthService
    audit: AuditService
    intake: IntakeService
    reporter: ReporterService
    review: ReviewService
    notices: NoticeService
    board: BoardService
    webhooks: WebhookService
    public_guard: PublicGuard
    web: WebConfig
    le: LeServices
    hotline: HotlineServices
    rooms: RoomServices
    jobs: JobService
    detection: DetectionBundle
    faces: FaceServices
    federation: FederationServices
    videos: VideoService
    scans: ScanService
    #: Idempotency-Key handling on POSTs (issue 10); None turns it off
    idempotency: IdempotencyService | None = None
    #: transparency reports (issue 9)
    transparency: TransparencyService | None = None
