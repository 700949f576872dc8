"""Bulk scan use case: hash every file of a media store, match it against the banks, resumably.

The driver (this service) lists the store, leaves out the files this run already finished, and
hands the rest to an engine (in-process or Ray) that runs `BatchHasher` over them. As each batch
comes back the driver matches its hashes with the in-memory matcher and commits, in one
transaction, the files' results, the match events (the scan as the caller, route "scan") and the
run's counters. A run killed at any point therefore resumes without hashing a finished file again
and without writing a match event twice; at most the batches in flight are hashed again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.errors import Conflict, InvalidInput, NotFound
from haechi.domain.scans import (
    FileOutcome,
    FileRef,
    FileStatus,
    RunStatus,
    ScanHit,
    ScannedFile,
    ScanRun,
    path_key,
)
from haechi.domain.signals import SignalRegistry
from haechi.services.audit import record_as
from haechi.services.matching import Matcher
from haechi.services.ports import MatchEvent, UnitOfWorkFactory
from haechi.services.ports_scan import MediaSource, ScanEngine
from haechi.services.scan_hashing import BatchHasher

ROUTE = "scan"


@dataclass(frozen=True, slots=True)
class ScanRequest:
    source: MediaSource
    engine: ScanEngine
    #: continue this run; None continues the source's unfinished run, if any
    resume: int | None = None
    #: start a new run even if the source has an unfinished one
    fresh: bool = False
    batch_size: int = 64
    requester: str | None = None
    #: take the run over even if the process that worked it looks alive
    force: bool = False


@dataclass(frozen=True, slots=True)
class ScanProgress:
    run_id: int
    total: int
    #: finished before this invocation started (a resume skips them)
    already_done: int
    #: finished by this invocation so far
    done: int
    matched: int
    failed: int


ProgressCallback = Callable[[ScanProgress], None]


class ScanService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        registry: SignalRegistry,
        matcher: Matcher,
        max_file_bytes: int,
        owner: str,
        owner_alive: Callable[[str, float], bool],
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._matcher = matcher
        self._max_bytes = max_file_bytes
        #: this process (host:pid), and whether another owner (seen at a time) still works a run
        self._owner = owner
        self._owner_alive = owner_alive

    def run(self, request: ScanRequest, on_progress: ProgressCallback | None = None) -> ScanRun:
        """Scan (or resume scanning) a source to the end; returns the run as recorded."""
        if request.batch_size < 1:
            raise InvalidInput("batch size must be at least 1")
        files = list(request.source.list_files())  # first: a source that fails opens no run
        run_id, resumed = self._open(request)
        with self._uow() as uow:
            finished = uow.scans.finished_keys(run_id)
            uow.scans.begin(
                run_id,
                engine=request.engine.name,
                owner=self._owner,
                files_total=len(files),
                resumed=resumed,
                at=time.time(),
            )
        pending = pending_files(files, finished)
        progress = ScanProgress(run_id, len(files), len(files) - len(pending), 0, 0, 0)
        if on_progress is not None:
            on_progress(progress)
        recorder = _Recorder(self._uow, self.match_batch, run_id, progress, on_progress)
        hasher = BatchHasher(request.source, self._registry, self._max_bytes)
        request.engine.run(
            pending, hasher, batch_size=request.batch_size, on_batch=recorder.on_batch
        )
        return self._finish(run_id, request.requester or "cli")

    def _finish(self, run_id: int, actor: str) -> ScanRun:
        with self._uow() as uow:
            uow.scans.finish(run_id, at=time.time())
            run = uow.scans.get_run(run_id)
            assert run is not None
            counts = {"files": run.files_done, "matched": run.files_matched}
            counts |= {"failed": run.files_failed, "rescanned": run.rescanned}
            record_as(uow, actor, None, "scan.finished", "scan_run", run_id, **counts)
        return run

    def get(self, run_id: int) -> ScanRun:
        with self._uow() as uow:
            run = uow.scans.get_run(run_id)
        if run is None:
            raise NotFound(f"no scan run {run_id}")
        return run

    def list_runs(self, *, limit: int = 50) -> list[ScanRun]:
        with self._uow() as uow:
            return uow.scans.list_runs(limit=limit)

    def files(
        self,
        run_id: int,
        *,
        matched_only: bool = False,
        failed_only: bool = False,
        limit: int = 100,
    ) -> list[ScannedFile]:
        """A run's finished files in the order they finished (optionally matched or failed only)."""
        self.get(run_id)
        with self._uow() as uow:
            return uow.scans.files(
                run_id, matched_only=matched_only, failed_only=failed_only, limit=limit
            )

    def _open(self, request: ScanRequest) -> tuple[int, bool]:
        """The run to work on, and whether it is a resume."""
        url = request.source.url
        with self._uow() as uow:
            if request.resume is not None:
                run = uow.scans.get_run(request.resume)
                if run is None:
                    raise NotFound(f"no scan run {request.resume}")
                if run.source != url:
                    raise InvalidInput(f"scan run {run.id} scanned {run.source}, not {url}")
            else:
                run = None if request.fresh else uow.scans.unfinished_run(url)
            if run is not None:
                self._check_owner(run, request.force)
                return run.id, True
            run_id = uow.scans.create_run(
                source=url, engine=request.engine.name, requester=request.requester, at=time.time()
            )
            actor = request.requester or "cli"
            record_as(uow, actor, None, "scan.started", "scan_run", run_id, source=url)
            return run_id, False

    def _check_owner(self, run: ScanRun, force: bool) -> None:
        owner = run.owner
        if force or owner is None or owner == self._owner or run.status is RunStatus.FINISHED:
            return
        if self._owner_alive(owner, run.updated_at):
            raise Conflict(
                f"scan run {run.id} is being worked by {owner} (last progress at "
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(run.updated_at))} UTC); "
                "if that process is gone, resume with --force"
            )

    def match_batch(self, outcomes: list[FileOutcome]) -> list[tuple[FileOutcome, list[ScanHit]]]:
        """Each scanned file with the banks' matches for its (good-quality) hashes."""
        self._matcher.refresh()  # banks changed during a long scan count from the next batch
        return [(o, self._match(o)) for o in outcomes]

    def _match(self, outcome: FileOutcome) -> list[ScanHit]:
        hits: list[ScanHit] = []
        for signal_type, value in outcome.matchable().items():
            if signal_type not in self._registry.signal_types:
                continue
            # a bulk scan checks everything: HMA's sampling coin flip does not apply
            for hit in self._matcher.query(signal_type, value, coinflip=0.0):
                hits.append(ScanHit(signal_type, hit.bank_name, hit.content_id, hit.distance))
        return hits


class _Recorder:
    """Matches and commits each batch the engine hands back (runs in the driver only)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        match: Callable[[list[FileOutcome]], list[tuple[FileOutcome, list[ScanHit]]]],
        run_id: int,
        progress: ScanProgress,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._uow = uow_factory
        self._match = match
        self._run_id = run_id
        self._caller = f"scan:{run_id}"
        self._progress = progress
        self._on_progress = on_progress
        self._last = time.monotonic()

    def on_batch(self, outcomes: list[FileOutcome]) -> None:
        now = time.time()
        results = self._match(outcomes)
        events = [self._event(o, hit, now) for o, hits in results for hit in hits]
        tick = time.monotonic()
        busy, self._last = tick - self._last, tick
        with self._uow() as uow:
            uow.scans.record(self._run_id, results, busy_s=busy, at=now)
            if events:
                uow.banks.add_match_events(events)
        p = self._progress
        self._progress = p = ScanProgress(
            p.run_id,
            p.total,
            p.already_done,
            p.done + len(outcomes),
            p.matched + sum(1 for _, hits in results if hits),
            p.failed + sum(1 for o in outcomes if o.status is FileStatus.FAILED),
        )
        if self._on_progress is not None:
            self._on_progress(p)

    def _event(self, outcome: FileOutcome, hit: ScanHit, at: float) -> MatchEvent:
        return MatchEvent(
            at=at,
            requester=self._caller,
            route=ROUTE,
            signal_type=hit.signal_type,
            query_value=outcome.hashes[hit.signal_type],
            content_id=hit.content_id,
            bank_name=hit.bank,
            distance=hit.distance,
        )


def pending_files(files: list[FileRef], finished: set[str]) -> list[FileRef]:
    """The listed files a run has not finished yet."""
    return [f for f in files if path_key(f.path) not in finished]
