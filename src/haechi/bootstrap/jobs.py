"""Builds the background-job service and runs the in-process worker of an embedded deployment.

Features register their job handlers on `container.jobs` when the container is built (so the
server, `haechi worker` and the CLI all know the same kinds). With `jobs_in_process` (the
default) the server runs a worker thread in its lifespan; a dedicated deployment turns it off and
runs `haechi worker` processes, which PostgreSQL lets share the queue safely.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from haechi.config import Settings
from haechi.domain.jobs import RetryPolicy
from haechi.jobs.worker import start_worker
from haechi.services.jobs import JobService
from haechi.services.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

#: how long shutdown waits for running jobs to finish before leaving them to their lease
STOP_GRACE_S = 30.0


def build_jobs(settings: Settings, uow: UnitOfWorkFactory) -> JobService:
    base = settings.jobs_backoff_base_s
    return JobService(
        uow_factory=uow,
        lease_s=settings.jobs_lease_s,
        retry=RetryPolicy(base_s=base, cap_s=max(base, settings.jobs_backoff_max_s)),
        retention_s=settings.jobs_retention_days * 86400.0,
    )


@contextmanager
def in_process_worker(jobs: JobService, settings: Settings) -> Iterator[None]:
    """Run the worker threads for the block when `jobs_in_process` is on; stop them gracefully."""
    if not settings.jobs_in_process:
        yield
        return
    worker = start_worker(jobs, concurrency=settings.jobs_concurrency, poll_s=settings.jobs_poll_s)
    try:
        yield
    finally:
        worker.request_stop()
        if not worker.join(STOP_GRACE_S):
            log.warning("background jobs still running at shutdown; their leases will expire")
