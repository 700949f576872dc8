"""Port for background jobs: a durable queue that services enqueue into inside their own
transaction (so a job exists exactly when the change that needs it was committed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # will be retried after its backoff
    DEAD = "dead"  # out of attempts, or failed permanently: kept for an operator


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


class JobProgress(Protocol):
    def __call__(self, done: int, total: int) -> None:
        """Report progress; stored on the job so the UI and CLI can show it."""


#: a job handler: raise to fail (retried with backoff), raise PermanentJobFailure to dead-letter
JobHandler = Callable[[Job, JobProgress], None]


class PermanentJobFailure(Exception):
    """Raised by a handler when retrying cannot help (bad input): the job goes to DEAD at once."""


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
    ) -> int:
        """Add a job (or return the id of the unfinished job with the same dedupe_key)."""
