"""The federation use cases, built together: publisher, sources and review, polling, and the
threatexchange CLI dataset formats. Polls run as `exchange.poll` background jobs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from haechi.services.federation_flood import WriteReviewService
from haechi.services.federation_poll import PollService
from haechi.services.federation_publish import PublisherService
from haechi.services.federation_sources import SourceService
from haechi.services.jobs import JobService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_jobs import Job, JobProgress
from haechi.services.te_dataset import TeDataset

JOB_KIND = "exchange.poll"


@dataclass(frozen=True, slots=True)
class FederationServices:
    publisher: PublisherService
    sources: SourceService
    poller: PollService
    dataset: TeDataset
    writes: WriteReviewService
    uow_factory: UnitOfWorkFactory
    jobs: JobService
    now: Callable[[], float] = field(default=time.time)

    def register_jobs(self) -> None:
        self.jobs.register(JOB_KIND, self.run_poll_job)

    def run_poll_job(self, job: Job, progress: JobProgress) -> None:
        """Poll the named source. A failure is recorded on the source and raised (the job shows
        it too); the source's own interval is its retry schedule, so the job is not retried."""
        report = self.poller.poll(str(job.payload.get("source", "")))
        progress(report.pages, report.pages)

    def enqueue_due(self) -> int:
        """Queue one poll job per source whose interval has passed (deduplicated per source)."""
        with self.uow_factory() as uow:
            due = uow.federation.due_sources(self.now(), 100)
        for source in due:
            self.jobs.enqueue(
                JOB_KIND,
                {"source": source.name},
                org_id=source.org_id,
                dedupe_key=f"exchange.poll:{source.name}",
                max_attempts=1,
            )
        return len(due)
