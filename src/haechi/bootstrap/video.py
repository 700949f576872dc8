"""Builds video matching (issue 6): the video service, its queue directory and its job handlers
(`video.hash` for banked videos, `video.report_item` for reported ones)."""

from __future__ import annotations

from collections.abc import Callable

from haechi.adapters.blobs import LocalBlobStore
from haechi.adapters.hashers.vpdq import VideoLimits, check_video_bytes
from haechi.adapters.video_queue import LocalVideoQueue
from haechi.bootstrap.parts import video_limits
from haechi.config import Settings
from haechi.domain.cases import Case
from haechi.domain.signals import SignalRegistry
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService
from haechi.services.intake import FiledHook
from haechi.services.jobs import JobService
from haechi.services.lookup import LookupService
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.video_reports import ReportedVideos
from haechi.services.videos import HASH_JOB, REPORT_JOB, VideoService


def build_videos(
    settings: Settings,
    uow: UnitOfWorkFactory,
    registry: SignalRegistry,
    hashing: HashingService,
    banks: BankService,
    jobs: JobService,
    lookup: LookupService,
) -> VideoService:
    """The video service, with its two job kinds registered on the job service."""
    limits = video_limits(settings)
    queue_dir = settings.video_queue_dir or settings.blob_dir / "video-queue"
    videos = VideoService(
        uow_factory=uow,
        registry=registry,
        hashing=hashing,
        banks=banks,
        files=LocalVideoQueue(queue_dir),
        check=_checker(limits),
        on_enqueue=jobs.wake,
        max_bytes=settings.video_max_bytes,
    )
    jobs.register(HASH_JOB, videos.run_hash_job)
    reported = ReportedVideos(
        uow_factory=uow,
        videos=videos,
        lookup=lookup,
        blobs=LocalBlobStore(settings.blob_dir),
        on_banked=banks.changed,
    )
    jobs.register(REPORT_JOB, reported.run_job)
    return videos


def chain_filed(*hooks: FiledHook) -> FiledHook:
    """One intake `on_filed` hook that runs each of `hooks` in the filing transaction."""

    def filed(uow: UnitOfWork, case: Case, report_id: int) -> None:
        for hook in hooks:
            hook(uow, case, report_id)

    return filed


def _checker(limits: VideoLimits) -> Callable[[bytes], None]:
    def check(data: bytes) -> None:
        check_video_bytes(data, limits)

    return check
