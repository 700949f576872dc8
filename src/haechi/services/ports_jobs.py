"""Port for background jobs: a durable queue that services enqueue into inside their own
transaction (so a job exists exactly when the change that needs it was committed).

Life of a job::

    QUEUED --claim--> RUNNING --ok--> DONE
      ^                  |  \\--raise (attempts left)--> FAILED --run_after--> (claimed again)
      |                  |  \\--raise (no attempts left) or PermanentJobFailure--> DEAD
      |                  \\--worker lost (lease expired)--> claimed again (DEAD if out of attempts)
      +--retry (operator)-- DEAD | CANCELLED <--cancel (operator)-- QUEUED | FAILED | RUNNING

A RUNNING job holds a lease (owner + expiry) that its worker's heartbeat extends; when the lease
runs out (the worker crashed or lost its machine) another worker takes the job again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # will be retried after its backoff
    DEAD = "dead"  # out of attempts, or failed permanently: kept for an operator
    CANCELLED = "cancelled"  # stopped by an operator; can be retried

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({JobState.DONE, JobState.DEAD, JobState.CANCELLED})
#: states an operator may retry (a dead letter, or a job someone cancelled)
RETRYABLE = frozenset({JobState.DEAD, JobState.CANCELLED})


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    payload: Mapping[str, Any]
    org_id: int | None
    state: JobState
    attempts: int
    max_attempts: int
    progress_done: int
    progress_total: int
    error: str | None
    created_at: float
    run_after: float
    finished_at: float | None
    started_at: float | None = None
    updated_at: float | None = None
    dedupe_key: str | None = None
    lease_owner: str | None = None
    lease_until: float | None = None

    @property
    def fraction(self) -> float | None:
        """Progress as 0..1, or None while the handler has not said how much there is."""
        if self.progress_total <= 0:
            return 1.0 if self.state is JobState.DONE else None
        return min(1.0, max(0.0, self.progress_done / self.progress_total))


class JobProgress(Protocol):
    def __call__(self, done: int, total: int) -> None:
        """Report progress; stored on the job so the UI and CLI can show it.

        Raises JobCancelled when the job was cancelled (or its lease taken over) meanwhile,
        so a long handler stops at its next report."""


#: a job handler: raise to fail (retried with backoff), raise PermanentJobFailure to dead-letter
JobHandler = Callable[[Job, JobProgress], None]


class PermanentJobFailure(Exception):
    """Raised by a handler when retrying cannot help (bad input): the job goes to DEAD at once."""


class JobCancelled(Exception):
    """Raised from a progress report when the job is no longer this worker's to finish."""


@dataclass(frozen=True, slots=True)
class JobFilter:
    state: JobState | None = None
    kind: str | None = None
    #: only this organisation's jobs (None: every organisation's and the system's)
    org_id: int | None = None
    #: pagination: only jobs with a smaller id
    before_id: int | None = None
    limit: int = 100


class JobStore(Protocol):
    """Durable job rows. Claiming is safe across processes and machines."""

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        org_id: int | None = None,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
        run_after: float | None = None,
        now: float | None = None,
    ) -> int:
        """Add a job (or return the id of the unfinished job with the same dedupe_key).

        `run_after` and `now` default to the current time."""

    def claim(
        self, *, owner: str, now: float, lease_s: float, kinds: Collection[str], limit: int = 1
    ) -> list[Job]:
        """Take up to `limit` due jobs of `kinds` for `owner` (attempts + 1, lease until now +
        lease_s). No two claimers ever get the same job while its lease runs."""

    def bury_lost(self, *, now: float) -> int:
        """Dead-letter RUNNING jobs whose lease expired with no attempts left; returns how many."""

    def heartbeat(
        self,
        job_id: int,
        *,
        owner: str,
        lease_until: float,
        now: float,
        progress: tuple[int, int] | None = None,
    ) -> bool:
        """Extend the lease (and store progress); False when the job is no longer `owner`'s."""

    def finish(
        self,
        job_id: int,
        *,
        owner: str,
        state: JobState,
        now: float,
        error: str | None = None,
        run_after: float | None = None,
        progress: tuple[int, int] | None = None,
    ) -> Job | None:
        """Record an attempt's outcome (DONE, FAILED with run_after, or DEAD) if the job is still
        `owner`'s and return the job as recorded; None otherwise (cancelled or taken over)."""

    def get(self, job_id: int) -> Job | None: ...

    def list(self, query: JobFilter) -> list[Job]:
        """Newest first."""

    def counts(self, *, org_id: int | None = None) -> dict[JobState, int]: ...

    def reset(self, job_id: int, *, now: float) -> Job | None:
        """Queue a DEAD or CANCELLED job again with fresh attempts (None if not in such a state).
        Raises Conflict when an unfinished job with the same dedupe key exists."""

    def cancel(self, job_id: int, *, now: float) -> Job | None:
        """Cancel an unfinished job (None if it already finished)."""

    def purge(self, *, finished_before: float) -> int:
        """Delete DONE and CANCELLED jobs finished before the cutoff (dead letters are kept)."""
