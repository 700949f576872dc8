"""Reported videos matched by their frames (issue 6), in a background job after filing.

Intake hashes a reported video's bytes with MD5 and SHA-256 while the reporter waits (an exact
copy of banked content is evidence at once). Its vPDQ takes longer, so filing the report queues a
`video.report_item` job for each video item, in the same transaction (intake's `on_filed` hook,
`VideoService.enqueue_report`).
The job hashes the stored media, looks the hash up in every bank like any intake look-up (a
match event with route `intake`) and adds the banked videos it matches to the item's match
evidence, so the review queue shows the case as matched. Nothing is removed automatically.

The job also records the vPDQ on the item (`VideoStore.keep_item_hash`: the item's signals hold
its fingerprint, the whole hash is kept beside them), in the same transaction as the evidence, so
an analyst who confirms the item banks it with its vPDQ (`ReviewService`) and re-encoded copies
match the bank by their frames. An item confirmed and banked before its job finished gets the
vPDQ attached to its bank content, so the bank never keeps only the exact digests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from haechi.domain.cases import CaseItem, MatchEvidence
from haechi.domain.errors import InvalidInput, MediaTooLarge, NotFound, UnsupportedMedia
from haechi.domain.signals import HashOutput
from haechi.services.lookup import LookupOptions, LookupService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure
from haechi.services.videos import VIDEO_SIGNAL, VideoService


class ReportedVideos:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        videos: VideoService,
        lookup: LookupService,
        blobs: BlobStore,
        on_banked: Callable[[], object] = lambda: None,
    ) -> None:
        self._uow = uow_factory
        self._videos = videos
        self._lookup = lookup
        self._blobs = blobs
        #: called after a vPDQ was attached to banked content (the matchers refresh)
        self._on_banked = on_banked

    def run_job(self, job: Job, progress: JobProgress) -> None:
        """`video.report_item`: vPDQ of the item's media, matched; evidence added to the item."""
        case_id, item_id = job.payload.get("case_id"), job.payload.get("item_id")
        if not isinstance(case_id, int) or not isinstance(item_id, int):
            raise PermanentJobFailure("video.report_item needs integer case_id and item_id")
        item = self._item(case_id, item_id)
        if item is None or item.media_key is None:
            return  # the report was withdrawn or its media removed meanwhile
        progress(0, 2)
        try:
            output = self._videos.hash_video(self._blobs.get(item.media_key))
        except NotFound:
            return
        except (UnsupportedMedia, MediaTooLarge, InvalidInput) as e:
            raise PermanentJobFailure(e.message) from None
        progress(1, 2)
        options = LookupOptions(bypass_coinflip=True, requester="intake", route="intake")
        hits = self._lookup.lookup_signal(VIDEO_SIGNAL, output.value, options)
        found = [MatchEvidence(h.bank_name, h.content_id, VIDEO_SIGNAL, h.distance) for h in hits]
        if self._record(case_id, item_id, output, found):
            self._on_banked()
        progress(2, 2)

    def _item(self, case_id: int, item_id: int) -> CaseItem | None:
        with self._uow() as uow:
            return next((i for i in uow.cases.items(case_id) if i.id == item_id), None)

    def _record(
        self, case_id: int, item_id: int, output: HashOutput, found: list[MatchEvidence]
    ) -> bool:
        """Keep the item's vPDQ and add new evidence, in one transaction; True when the vPDQ
        was attached to the bank content the item was confirmed into meanwhile."""
        with self._uow() as uow:
            item = next((i for i in uow.cases.items(case_id) if i.id == item_id), None)
            if item is None:
                return False
            uow.videos.keep_item_hash(item_id, VIDEO_SIGNAL, output.value)
            known = {(e.bank, e.content_id, e.signal_type) for e in item.evidence}
            new = [e for e in found if (e.bank, e.content_id, e.signal_type) not in known]
            if new:
                uow.cases.update_item(replace(item, evidence=(*item.evidence, *new)))
            if item.bank_content_id is None:
                return False
            try:
                uow.videos.attach_signal(
                    item.bank_content_id, VIDEO_SIGNAL, output.value, output.quality
                )
            except NotFound:  # the banked content was deleted since
                return False
            return True
