"""Builders for the core adapters that `haechi.bootstrap` hands to services."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from haechi.adapters.fetch.http_fetcher import FetchPolicy, GuardedFetcher
from haechi.adapters.hashers import (
    DecodeLimits,
    PdqSignal,
    VideoLimits,
    default_content_types,
    default_signal_types,
)
from haechi.adapters.index.exact import ExactIndex
from haechi.adapters.index.pdq_mih import PdqMihIndex
from haechi.adapters.index.vpdq_index import VpdqIndex
from haechi.adapters.limits import InMemoryRateCounter
from haechi.adapters.sql.uow import SqlUnitOfWorkFactory
from haechi.adapters.webhooks import GuardedWebhookSender
from haechi.config import Settings
from haechi.domain.signals import SignalRegistry
from haechi.services.hashing import HashingService
from haechi.services.ports import SignalIndex
from haechi.services.public_guard import PublicGuard, PublicLimits
from haechi.services.webhooks import WebhookService


def make_index(signal_type: str, entries: Sequence[tuple[str, int]] = ()) -> SignalIndex:
    if signal_type == "pdq":
        hashes = np.frombuffer(b"".join(bytes.fromhex(v) for v, _ in entries), dtype=np.uint8)
        ids = np.fromiter((i for _, i in entries), dtype=np.int64, count=len(entries))
        return PdqMihIndex.build(
            hashes.reshape(-1, 32), ids, signal_type="pdq", max_radius=PdqSignal.max_threshold
        )
    index: ExactIndex | VpdqIndex
    index = VpdqIndex() if signal_type == "vpdq" else ExactIndex(signal_type=signal_type)
    index.add(entries)
    return index


def fetcher(settings: Settings) -> GuardedFetcher:
    return GuardedFetcher(
        FetchPolicy(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.fetch_allow_private,
            allowed_hosts=tuple(settings.fetch_allowed_hosts),
        )
    )


#: used only outside production (production refuses to start without HAECHI_WEBHOOK_SECRET_KEY)
DEV_WEBHOOK_KEY = "haechi-development-webhook-key, not a secret"


def webhooks(settings: Settings, uow: SqlUnitOfWorkFactory) -> WebhookService:
    policy = FetchPolicy(
        timeout_s=settings.webhook_timeout_s,
        allow_private=settings.fetch_allow_private,
        allowed_hosts=tuple(settings.fetch_allowed_hosts),
    )
    return WebhookService(
        uow_factory=uow,
        sender=GuardedWebhookSender(policy),
        key=(settings.webhook_secret_key or DEV_WEBHOOK_KEY).encode(),
        max_attempts=settings.webhook_max_attempts,
        require_https=settings.environment == "production",
    )


def public_guard(settings: Settings) -> PublicGuard:
    """Abuse controls for the victim page (per process: each replica counts its own traffic)."""
    limits = PublicLimits(
        reports_per_hour=settings.public_reports_per_hour,
        pictures_per_day=settings.public_pictures_per_day,
        checks_per_hour=settings.public_checks_per_hour,
        bulk_pictures_per_day=settings.public_bulk_pictures_per_day,
        login_failures_per_hour=settings.login_failures_per_hour,
    )
    return PublicGuard(counter=InMemoryRateCounter(), limits=limits)


def registry(settings: Settings) -> SignalRegistry:
    limits = DecodeLimits(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)
    signal_types = default_signal_types(limits, video_limits(settings))
    return SignalRegistry(signal_types, default_content_types())


def video_limits(settings: Settings) -> VideoLimits:
    return VideoLimits(
        max_bytes=settings.video_max_bytes,
        max_duration_s=settings.video_max_duration_s,
        max_pixels=settings.video_max_pixels,
        max_frames=settings.video_max_frames,
        seconds_per_hash=settings.video_seconds_per_hash,
    )


def hashing(settings: Settings, registry: SignalRegistry) -> HashingService:
    return HashingService(
        registry=registry,
        fetcher=fetcher(settings),
        max_upload_bytes=settings.max_upload_bytes,
    )


def limit_blas_threads() -> None:
    """One BLAS thread per hashing thread: PDQ's matrix products are small, and BLAS's own thread
    pool only fights the server's request threads for the cores (measured 5-6x slower hashing
    under concurrent load in the bulk scanner)."""
    threadpool_limits(limits=1, user_api="blas")
