"""Running detectors on reported media in background jobs, and reading what they found.

When a report is filed, its media items are queued (in the report's own transaction) as
`detect.items` jobs of up to `batch_size` items each. A job reads the items' files from the blob
store, runs every registered detector that accepts their content type — a whole batch in one model
call where the detector can — and stores, per item and detector, the scores, the detector's name
and version, the item's share of the run time and any error. Then the case owner's routing rules
are applied to the stored signals (`services.routing.apply_rules`). With a frame sampler, photo
detectors that declare `VIDEO_FRAMES` score reported videos through a bounded number of sampled
frames (services/detection_frames.py).

A detector failing on one item is recorded on that item and does not stop the others. Scores route
items to a person; this module never changes an item's status or decides anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from haechi.domain.cases import Case, CaseItem, parse_case_number
from haechi.domain.detections import DetectionResult, RuleHit, SignalValue
from haechi.domain.errors import NotFound
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.detection_frames import FrameScoring
from haechi.services.detection_scoring import Run, scorable, score_items
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_detectors import FrameSampler
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure
from haechi.services.routing import apply_rules

__all__ = ["JOB_KIND", "CaseDetections", "DetectionService", "DetectorInfo"]

log = logging.getLogger(__name__)

JOB_KIND = "detect.items"
MAX_BATCH = 64


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    name: str
    version: str
    input_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseDetections:
    results: dict[int, list[DetectionResult]]
    hits: dict[int, list[RuleHit]]


def _chunks(values: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


class DetectionService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        detectors: DetectorRegistry,
        wake: Callable[[], None],
        batch_size: int = 8,
        clock: Callable[[], float] = time.time,
        frames: FrameSampler | None = None,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        self._uow = uow_factory
        self._blobs = blobs
        self._detectors = detectors
        self._wake = wake
        self._batch = batch_size
        self._clock = clock
        #: photo detectors on videos: None leaves videos to the detectors that take them whole
        self._frames = None if frames is None else FrameScoring(detectors, frames)

    # -- queueing ---------------------------------------------------------------------------------
    def enqueue_in(self, uow: UnitOfWork, case: Case, items: Sequence[CaseItem]) -> list[int]:
        """Queue detection for the items with media, inside the caller's transaction (call
        `wake()` after it commits). Nothing is queued when no detector is registered."""
        ids = sorted(i.id for i in items if scorable(i))
        if not ids or not len(self._detectors):
            return []
        return [
            uow.jobs.enqueue(
                JOB_KIND,
                {"case_id": case.id, "items": chunk},
                org_id=case.owner_org_id,
                dedupe_key=f"detect:{case.id}:{chunk[0]}-{chunk[-1]}",
                max_attempts=3,
            )
            for chunk in _chunks(ids, self._batch)
        ]

    def enqueue_report(self, uow: UnitOfWork, case: Case, report_id: int) -> list[int]:
        """`enqueue_in` for the items a report just filed (intake's `on_filed` hook)."""
        return self.enqueue_in(
            uow, case, [i for i in uow.cases.items(case.id) if i.report_id == report_id]
        )

    def backfill(self, *, limit: int = 1000) -> int:
        """Queue media items of active cases that no detector has scored (e.g. reported before
        the `detectors` extra was installed); returns how many items were queued."""
        queued = 0
        with self._uow() as uow:
            wanted: dict[int, set[int]] = {}
            for case_id, item_id in uow.detections.unscored_items(limit=limit):
                wanted.setdefault(case_id, set()).add(item_id)
            for case_id, ids in wanted.items():
                case = uow.cases.get_case_by_id(case_id)
                items = [i for i in uow.cases.items(case_id) if i.id in ids and scorable(i)]
                if case is not None and self.enqueue_in(uow, case, items):
                    queued += len(items)
        self._wake()
        return queued

    def wake(self) -> None:
        self._wake()

    def rerun(self, principal: Principal, number: str) -> list[int]:
        """Queue every media item of a case again (e.g. after a detector was added)."""
        principal.require(Permission.CASES_WRITE)
        with self._uow() as uow:
            case = self._visible(uow, principal, number)
            job_ids = self.enqueue_in(uow, case, uow.cases.items(case.id))
            record(uow, principal, "detection.rerun", "case", case.number, jobs=len(job_ids))
        self._wake()
        return job_ids

    # -- the job ----------------------------------------------------------------------------------
    def run_job(self, job: Job, progress: JobProgress) -> None:
        case_id, wanted = _payload(job)
        with self._uow() as uow:
            case = uow.cases.get_case_by_id(case_id)
            items = [] if case is None else uow.cases.items(case_id)
        if case is None:
            return
        todo = [i for i in items if i.id in wanted and scorable(i)]
        progress(0, len(todo))
        runs = score_items(self._detectors, self._blobs, todo, self._frames)
        now = self._clock()
        with self._uow() as uow:
            for item in todo:
                for name, run in runs[item.id].items():
                    uow.detections.save_result(
                        _result(case, item, name, run, self._version(name), now)
                    )
            apply_rules(uow, case, [i.id for i in todo], now=now)
        progress(len(todo), len(todo))

    def _version(self, name: str) -> str:
        detector = self._detectors.get(name)
        return "" if detector is None else detector.version

    # -- reading ----------------------------------------------------------------------------------
    def for_case(self, principal: Principal, number: str) -> CaseDetections:
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            case = self._visible(uow, principal, number)
            results = uow.detections.results_for_case(case.id)
            hits = uow.detections.hits_for_case(case.id)
        by_item: dict[int, list[DetectionResult]] = {}
        for r in results:
            by_item.setdefault(r.item_id, []).append(r)
        hits_by_item: dict[int, list[RuleHit]] = {}
        for h in hits:
            hits_by_item.setdefault(h.item_id, []).append(h)
        return CaseDetections(by_item, hits_by_item)

    def hits_for_cases(
        self, principal: Principal, case_ids: Sequence[int]
    ) -> dict[int, list[RuleHit]]:
        """Rule hits of cases already listed for this principal (the queue)."""
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            return uow.detections.hits_for_cases(case_ids)

    def detectors(self, principal: Principal) -> tuple[list[DetectorInfo], dict[str, str]]:
        """Running detectors, and those not running with the reason."""
        principal.require(Permission.CASES_READ)
        running = [
            DetectorInfo(d.name, d.version, tuple(sorted(d.input_kinds)))
            for d in self._detectors.all()
        ]
        return running, dict(self._detectors.missing)

    def _visible(self, uow: UnitOfWork, principal: Principal, number: str) -> Case:
        case = uow.cases.get_case(parse_case_number(number))
        if case is None or not case.visible_to(principal.org_id):
            raise NotFound(f"case {number} not found")
        return case


def _payload(job: Job) -> tuple[int, frozenset[int]]:
    case_id = job.payload.get("case_id")
    items = job.payload.get("items")
    if (
        not isinstance(case_id, int)
        or not isinstance(items, list)
        or not all(isinstance(i, int) for i in items)
    ):
        raise PermanentJobFailure("detect.items payload needs case_id and a list of item ids")
    return case_id, frozenset(items)


def _result(
    case: Case, item: CaseItem, detector: str, run: Run, version: str, now: float
) -> DetectionResult:
    return DetectionResult(
        id=0,
        case_id=case.id,
        item_id=item.id,
        detector=detector,
        version=version,
        scores=tuple(SignalValue(s.name, float(s.value), dict(s.detail)) for s in run.signals),
        latency_ms=round(run.latency_ms, 3),
        created_at=now,
        error=run.error,
        batch_size=run.batch_size,
    )
