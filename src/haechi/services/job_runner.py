"""Running one claimed job: progress reports, a heartbeat that keeps the lease, and the outcome.

The handler runs outside any transaction. While it runs, the service's lease keeper extends the
job's lease every third of the lease (and stores the latest progress), so a long job is never taken
over by another worker while its own worker is alive; if the worker dies, the lease runs out and
the job is claimed again. When a write finds the job no longer ours (an operator cancelled it, or
this worker stalled past its lease and another took over), the next progress report raises
`JobCancelled` so the handler stops, and the outcome is not written over the new state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from haechi.domain.jobs import RetryPolicy, error_text
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_jobs import (
    Job,
    JobCancelled,
    JobHandler,
    JobState,
    PermanentJobFailure,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunConfig:
    uow: UnitOfWorkFactory
    clock: Callable[[], float]
    lease_s: float
    retry: RetryPolicy
    jitter: Callable[[], float]
    #: the shortest time between two progress writes (the heartbeat writes the rest)
    progress_every_s: float = 0.5


@dataclass(eq=False)
class _Lease:
    """The running job's shared state between the handler thread and the lease keeper."""

    config: RunConfig
    job: Job
    owner: str
    lost: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    progress: tuple[int, int] | None = None
    written_at: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        """Extend the lease and store progress; marks the lease lost if the job is not ours."""
        with self.lock:
            now = self.config.clock()
            with self.config.uow() as uow:
                ours = uow.jobs.heartbeat(
                    self.job.id,
                    owner=self.owner,
                    lease_until=now + self.config.lease_s,
                    now=now,
                    progress=self.progress,
                )
            self.written_at = time.monotonic()
        if not ours:
            self.lost.set()

    def report(self, done: int, total: int) -> None:
        if self.lost.is_set():
            raise JobCancelled(f"job {self.job.id} is no longer this worker's")
        first = self.progress is None
        self.progress = (max(0, int(done)), max(0, int(total)))
        if first or time.monotonic() - self.written_at >= self.config.progress_every_s:
            self.beat()
            if self.lost.is_set():
                raise JobCancelled(f"job {self.job.id} was cancelled")


class LeaseKeeper:
    """One thread per service renews the leases of every job it is running (every third of the
    lease), so a job costs no thread of its own; the thread ends when nothing is running."""

    def __init__(self, lease_s: float) -> None:
        self._interval = max(lease_s / 3, 0.05)
        self._leases: set[_Lease] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def holding(self, lease: _Lease) -> Iterator[None]:
        with self._lock:
            self._leases.add(lease)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="job-leases", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._leases.discard(lease)

    def _loop(self) -> None:
        while True:
            time.sleep(self._interval / 4)
            with self._lock:
                if not self._leases:
                    self._thread = None
                    return
                due = [x for x in self._leases if time.monotonic() - x.written_at >= self._interval]
            for lease in due:
                try:
                    lease.beat()
                except Exception:
                    log.exception("heartbeat of job %s failed; will retry", lease.job.id)


def run_job(
    config: RunConfig, keeper: LeaseKeeper, job: Job, handler: JobHandler, owner: str
) -> Job:
    """Run `job` (already claimed by `owner`) and record its outcome; returns the job after."""
    lease = _Lease(config, job, owner)
    with keeper.holding(lease):
        try:
            state, error, run_after = _outcome(config, job, handler, lease)
        except BaseException as e:  # interrupted (Ctrl-C, SystemExit): hand the job back now
            last = job.attempts >= job.max_attempts
            again = JobState.DEAD if last else JobState.FAILED
            _record(config, job, owner, again, error_text(e), None if last else config.clock())
            raise
        recorded = None
        if state is not None:
            progress = lease.progress
            if state is JobState.DONE and progress is not None:  # done is 100 %
                progress = (max(progress), progress[1])
            recorded = _record(config, job, owner, state, error, run_after, progress)
    if recorded is not None:
        return recorded
    with config.uow() as uow:  # cancelled or taken over: as it stands now
        return uow.jobs.get(job.id) or job


def _outcome(
    config: RunConfig, job: Job, handler: JobHandler, lease: _Lease
) -> tuple[JobState | None, str | None, float | None]:
    """What to record after the handler ran: (state, error, run_after); state None: nothing."""
    try:
        handler(job, lease.report)
    except JobCancelled:
        log.info("job %s (%s) stopped: no longer ours", job.id, job.kind)
        return None, None, None
    except PermanentJobFailure as e:
        log.warning("job %s (%s) failed permanently: %s", job.id, job.kind, e)
        return JobState.DEAD, error_text(e), None
    except Exception as e:
        if job.attempts >= job.max_attempts:
            log.exception("job %s (%s) failed its last attempt", job.id, job.kind)
            return JobState.DEAD, error_text(e), None
        delay = config.retry.delay(job.attempts, config.jitter())
        log.warning("job %s (%s) failed, retry in %.1f s: %s", job.id, job.kind, delay, e)
        return JobState.FAILED, error_text(e), config.clock() + delay
    return JobState.DONE, None, None


def _record(
    config: RunConfig,
    job: Job,
    owner: str,
    state: JobState,
    error: str | None,
    run_after: float | None,
    progress: tuple[int, int] | None = None,
) -> Job | None:
    with config.uow() as uow:
        recorded = uow.jobs.finish(
            job.id,
            owner=owner,
            state=state,
            now=config.clock(),
            error=error,
            run_after=run_after,
            progress=progress,
        )
    if recorded is None:
        log.info("job %s: outcome %s not recorded, the job is no longer ours", job.id, state)
    return recorded
