"""Background jobs: the use cases behind the queue (enqueue, run, watch, retry, cancel).

Features register a handler per job kind at start-up (`register("video.hash", handler)`) and
enqueue work either on its own (`enqueue`, one transaction) or atomically with their own writes
(`uow.jobs.enqueue(...)` inside their unit of work, then `wake()`). Workers — the in-process
thread of an embedded deployment, or `haechi worker` processes on any number of machines — call
`run_next` in a loop; `run_until_idle` runs everything due in the calling thread (tests, CLI).

A handler that raises is retried with exponential backoff and jitter until `max_attempts`, then
dead-lettered (DEAD) for an operator to inspect and retry; `PermanentJobFailure` dead-letters at
once. See `services.ports_jobs` for the life of a job and `services.job_runner` for the lease.
Jobs run at least once (a worker that dies after the work but before recording it leaves the job
to be taken again when its lease expires), so handlers must be idempotent.
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

from haechi.domain.errors import Conflict, InvalidInput, NotFound
from haechi.domain.jobs import RetryPolicy, check_job, valid_kind
from haechi.domain.tenancy import Permission, Principal
from haechi.services import job_access
from haechi.services.audit import record, record_as
from haechi.services.job_runner import LeaseKeeper, RunConfig, run_job
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_jobs import Job, JobFilter, JobHandler, JobState

#: a payload names what to work on (ids, hashes), never the data itself
MAX_PAYLOAD_BYTES = 64 * 1024


class JobService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Callable[[], float] = time.time,
        lease_s: float = 60.0,
        retry: RetryPolicy | None = None,
        jitter: Callable[[], float] = random.random,
        retention_s: float = 14 * 86400.0,
        worker_name: str | None = None,
    ) -> None:
        if lease_s <= 0:
            raise ValueError("lease_s must be positive")
        self._uow = uow_factory
        self._clock = clock
        self._config = RunConfig(uow_factory, clock, lease_s, retry or RetryPolicy(), jitter)
        self._retention_s = retention_s
        self._name = worker_name or f"{socket.gethostname()}:{os.getpid()}"
        self._handlers: dict[str, JobHandler] = {}
        self._wake = threading.Event()
        self._keeper = LeaseKeeper(lease_s)
        self._buried_at = -float("inf")

    # -- set-up and enqueueing ------------------------------------------------------------------
    def register(self, kind: str, handler: JobHandler) -> None:
        """Handle jobs of `kind` in this process (a worker only claims kinds it can run)."""
        if not valid_kind(kind):
            raise ValueError(f"job kind {kind!r}: lowercase letters, digits, '.', '_' or '-'")
        if kind in self._handlers and self._handlers[kind] is not handler:
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._handlers[kind] = handler

    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        org_id: int | None = None,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
        delay_s: float = 0.0,
    ) -> int:
        """Queue a job in its own transaction and wake the in-process worker; returns its id (the
        pending job's id when one with the same kind and dedupe_key is unfinished)."""
        check_job(kind, dedupe_key=dedupe_key, max_attempts=max_attempts)
        _check(payload, delay_s)
        now = self._clock()
        with self._uow() as uow:
            job_id = uow.jobs.enqueue(
                kind,
                payload,
                org_id=org_id,
                dedupe_key=dedupe_key,
                max_attempts=max_attempts,
                run_after=now + delay_s,
                now=now,
            )
        self.wake()
        return job_id

    def wake(self) -> None:
        """Tell this process's workers that a job may be due now (call after `uow.jobs.enqueue`)."""
        self._wake.set()

    def wait_for_work(self, timeout_s: float) -> None:
        """Block until `wake()` or the timeout (workers poll the table after either)."""
        if self._wake.wait(timeout_s):
            self._wake.clear()

    # -- running ------------------------------------------------------------------------------
    def run_next(self, *, kinds: Collection[str] | None = None) -> Job | None:
        """Claim one due job of `kinds` (default: every registered kind), run it and record the
        outcome; returns the job as it stands afterwards, or None when nothing was due."""
        runnable = self.kinds() if kinds is None else self.kinds() & set(kinds)
        if not runnable:
            return None
        owner = f"{self._name}/{uuid.uuid4().hex[:12]}"
        now = self._clock()
        with self._uow() as uow:
            if abs(now - self._buried_at) >= min(self._config.lease_s / 2, 5.0):
                self._buried_at = now  # lost jobs are rare: look for them now and then
                uow.jobs.bury_lost(now=now)
            claimed = uow.jobs.claim(
                owner=owner, now=now, lease_s=self._config.lease_s, kinds=runnable
            )
        if not claimed:
            return None
        job = claimed[0]
        return run_job(self._config, self._keeper, job, self._handlers[job.kind], owner)

    def run_until_idle(
        self, *, timeout_s: float = 30.0, kinds: Collection[str] | None = None
    ) -> int:
        """Run due jobs in the calling thread until none is due (or `timeout_s` passed);
        returns how many ran. Retries wait for their backoff: they are not due yet."""
        deadline = time.monotonic() + timeout_s
        ran = 0
        while time.monotonic() < deadline and self.run_next(kinds=kinds) is not None:
            ran += 1
        return ran

    def purge(self, *, older_than_s: float | None = None) -> int:
        """Delete done and cancelled jobs finished long ago (dead letters stay); returns count."""
        cutoff = self._clock() - (self._retention_s if older_than_s is None else older_than_s)
        with self._uow() as uow:
            return uow.jobs.purge(finished_before=cutoff)

    # -- watching and operating ----------------------------------------------------------------
    def get(self, job_id: int, *, principal: Principal | None = None) -> Job | None:
        """The job (None if unknown); for a principal, NotFound unless they may see it."""
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
        return job if principal is None else job_access.visible(principal, job, job_id)

    def list(
        self,
        *,
        principal: Principal | None = None,
        state: JobState | None = None,
        kind: str | None = None,
        org_id: int | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Job]:
        """Newest first; a principal sees only what `job_access` allows (org_id is then ignored
        unless they are an operator)."""
        if principal is not None and (scoped := job_access.scope(principal)) is not None:
            org_id = scoped
        query = JobFilter(state, kind, org_id, before_id, max(1, min(limit, 1000)))
        with self._uow() as uow:
            return uow.jobs.list(query)

    def counts(self, *, principal: Principal | None = None) -> dict[JobState, int]:
        org_id = None if principal is None else job_access.scope(principal)
        with self._uow() as uow:
            return uow.jobs.counts(org_id=org_id)

    def retry(self, job_id: int, *, principal: Principal | None = None) -> Job:
        """Queue a dead-lettered or cancelled job again with fresh attempts."""
        with self._uow() as uow:
            self._manageable(uow, principal, job_id)
            job = uow.jobs.reset(job_id, now=self._clock())
            if job is None:
                raise Conflict(f"job {job_id} is not dead or cancelled; only those are retried")
            _audit(uow, principal, "job.retry", job)
        self.wake()
        return job

    def cancel(self, job_id: int, *, principal: Principal | None = None) -> Job:
        """Stop an unfinished job: a queued one never runs; a running one stops at its next
        progress report and its outcome is not recorded."""
        with self._uow() as uow:
            self._manageable(uow, principal, job_id)
            job = uow.jobs.cancel(job_id, now=self._clock())
            if job is None:
                raise Conflict(f"job {job_id} has already finished")
            _audit(uow, principal, "job.cancel", job)
        return job

    def _manageable(self, uow: UnitOfWork, principal: Principal | None, job_id: int) -> None:
        job = uow.jobs.get(job_id)
        if principal is not None:
            job_access.visible(principal, job, job_id)
            principal.require(Permission.JOBS_MANAGE)
        elif job is None:
            raise NotFound(f"job {job_id} not found")


def _check(payload: Mapping[str, Any], delay_s: float) -> None:
    if delay_s < 0:
        raise InvalidInput("delay_s must not be negative")
    try:
        size = len(json.dumps(dict(payload), allow_nan=False))
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"a job payload must be plain JSON: {e}") from None
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidInput(f"a job payload is at most {MAX_PAYLOAD_BYTES} bytes of JSON")


def _audit(uow: UnitOfWork, principal: Principal | None, action: str, job: Job) -> None:
    detail = {"kind": job.kind, "state": job.state.value}
    if principal is None:
        record_as(uow, "cli", job.org_id, action, "job", job.id, **detail)
    else:
        record(uow, principal, action, "job", job.id, **detail)
