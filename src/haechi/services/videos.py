"""Video use cases (issue 6): bank a video now, hash it with vPDQ in a background job.

Decoding a video takes seconds to minutes, far too long for a request. So adding a video to a
bank does only the cheap part while the uploader waits: check that the bytes are a video within
the limits (ffprobe reads the container header, milliseconds), compute MD5 and SHA-256 (exact
copies match at once), keep the file in the video queue store and enqueue a `video.hash` job in
the same transaction as the new content. The job computes vPDQ, attaches it to the content (a
change every matcher replays, so the video becomes matchable by its frames) and deletes the file:
haechi keeps hashes of banked videos, not the videos.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from haechi.domain.banks import BankContent
from haechi.domain.cases import Case
from haechi.domain.errors import InvalidInput, MediaTooLarge, NotFound, UnsupportedMedia
from haechi.domain.signals import HashOutput, SignalRegistry
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService
from haechi.services.ports import NewContent, UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure
from haechi.services.ports_video import VideoFiles

log = logging.getLogger(__name__)

HASH_JOB = "video.hash"
REPORT_JOB = "video.report_item"
VIDEO_SIGNAL = "vpdq"
#: a checker raises UnsupportedMedia / MediaTooLarge for bytes that must not be decoded
VideoCheck = Callable[[bytes], None]
VideoHasher = Callable[[bytes], HashOutput]


@dataclass(frozen=True, slots=True)
class BankedVideo:
    content: BankContent
    job_id: int


class VideoService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        registry: SignalRegistry,
        hashing: HashingService,
        banks: BankService,
        files: VideoFiles,
        check: VideoCheck,
        on_enqueue: Callable[[], object],
        max_bytes: int,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._hashing = hashing
        self._banks = banks
        self._files = files
        self._check = check
        self._on_enqueue = on_enqueue
        self._max_bytes = max_bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def enabled(self) -> bool:
        return VIDEO_SIGNAL in self._registry.signal_types

    def add_to_bank(
        self,
        bank_name: str,
        data: bytes,
        *,
        note: str | None = None,
        metadata: dict[str, Any] | None = None,
        source: str | None = None,
        org_id: int | None = None,
        url: str | None = None,
    ) -> BankedVideo:
        """Bank a video by its digests now; its vPDQ follows from the `video.hash` job."""
        self._banks.get_bank(bank_name)
        self.check(data)
        digests = self._hashing.hash_bytes(data, content_type="video")
        key, _new = self._files.put(data)
        new = NewContent(
            signals=digests.values(),
            note=note,
            metadata=metadata,
            source=source,
            original_media_uri=url,
        )
        try:
            content, job_id = self._bank_and_enqueue(bank_name, new, key, org_id)
        except BaseException:
            self._files.delete(key)
            raise
        self._banks.changed()
        self._on_enqueue()
        return BankedVideo(content=content, job_id=job_id)

    def _bank_and_enqueue(
        self, bank_name: str, new: NewContent, key: str, org_id: int | None
    ) -> tuple[BankContent, int]:
        with self._uow() as uow:
            content = self._banks.add_content_in(uow, bank_name, new)
            job_id = uow.jobs.enqueue(
                HASH_JOB,
                {"content_id": content.id, "file": key},
                org_id=org_id,
                dedupe_key=f"content:{content.id}",
                max_attempts=3,
            )
        return content, job_id

    def check(self, data: bytes) -> None:
        """Refuse, before any decoding, what is empty, too big or not a video."""
        self._precheck(data)
        self._check(data)

    def _precheck(self, data: bytes) -> None:
        if not self.enabled():
            raise InvalidInput("video hashing (vpdq) is not enabled on this instance")
        if not data:
            raise UnsupportedMedia("empty file")
        if len(data) > self._max_bytes:
            raise MediaTooLarge(f"video exceeds {self._max_bytes} bytes")

    def hash_video(self, data: bytes) -> HashOutput:
        """vPDQ of a video, synchronously (jobs; never a request). The hasher probes the video
        against the limits itself before decoding it."""
        self._precheck(data)
        hasher: VideoHasher | None = getattr(
            self._registry.signal_type(VIDEO_SIGNAL), "hash_bytes", None
        )
        if hasher is None:
            raise InvalidInput("the vpdq signal type cannot hash files here")
        return hasher(data)

    def enqueue_report(self, uow: UnitOfWork, case: Case, report_id: int) -> list[int]:
        """Queue `video.report_item` for the video items a report just filed (intake's
        `on_filed` hook, inside the filing transaction); see services/video_reports.py."""
        if not self.enabled():
            return []
        return [
            uow.jobs.enqueue(
                REPORT_JOB,
                {"case_id": case.id, "item_id": item.id},
                org_id=case.owner_org_id,
                dedupe_key=f"case-item:{item.id}",
                max_attempts=3,
            )
            for item in uow.cases.items(case.id)
            if item.report_id == report_id
            and item.media_key is not None
            and (item.media_type or "").startswith("video/")
        ]

    # -- the job ---------------------------------------------------------------------------------
    def run_hash_job(self, job: Job, progress: JobProgress) -> None:
        """`video.hash`: hash the queued file, attach vPDQ to the content, delete the file."""
        content_id, key = _payload(job)
        progress(0, 2)
        try:
            data = self._files.get(key)
        except NotFound:
            raise PermanentJobFailure(f"the queued video {key[:12]}… is gone") from None
        try:
            output = self.hash_video(data)
        except (UnsupportedMedia, MediaTooLarge, InvalidInput) as e:
            self._files.delete(key)
            raise PermanentJobFailure(e.message) from None
        progress(1, 2)
        try:
            with self._uow() as uow:
                uow.videos.attach_signal(content_id, VIDEO_SIGNAL, output.value, output.quality)
        except NotFound:
            log.info("content %s was deleted before its video was hashed", content_id)
        self._files.delete(key)
        self._banks.changed()
        progress(2, 2)


def _payload(job: Job) -> tuple[int, str]:
    content_id, key = job.payload.get("content_id"), job.payload.get("file")
    if not isinstance(content_id, int) or not isinstance(key, str):
        raise PermanentJobFailure("video.hash needs an integer content_id and a file key")
    return content_id, key
