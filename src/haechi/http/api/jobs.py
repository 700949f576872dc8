"""Background jobs over the API: progress and errors for the organisation the jobs run for;
retry of dead letters and cancel for its admins. The instance's operators (regulator admins) see
every job. Times are UTC seconds; `progress` is [done, total] (total 0: not known yet)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from haechi.domain.errors import NotFound
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.ports_jobs import Job, JobState

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


class JobPublic(BaseModel):
    id: int
    kind: str
    state: JobState
    org_id: int | None
    attempts: int
    max_attempts: int
    progress: tuple[int, int]
    fraction: float | None
    error: str | None
    payload: dict[str, Any]
    dedupe_key: str | None
    created_at: float
    run_after: float
    started_at: float | None
    updated_at: float | None
    finished_at: float | None

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            org_id=job.org_id,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            progress=(job.progress_done, job.progress_total),
            fraction=job.fraction,
            error=job.error,
            payload=dict(job.payload),
            dedupe_key=job.dedupe_key,
            created_at=job.created_at,
            run_after=job.run_after,
            started_at=job.started_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
        )


class JobPage(BaseModel):
    jobs: list[JobPublic]
    counts: dict[JobState, int]
    #: pass as `before` for the next (older) page; null on the last page
    next_before: int | None


@router.get("", summary="Jobs you may see, newest first, with counts per state")
def list_jobs(
    services: ServicesDep,
    principal: PrincipalDep,
    state: JobState | None = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    org_id: Annotated[int | None, Query(description="operators: one organisation's")] = None,
    before: Annotated[int | None, Query(ge=1, description="only jobs with a smaller id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobPage:
    found = services.jobs.list(
        principal=principal, state=state, kind=kind, org_id=org_id, before_id=before, limit=limit
    )
    return JobPage(
        jobs=[JobPublic.of(j) for j in found],
        counts=services.jobs.counts(principal=principal),
        next_before=found[-1].id if len(found) == limit else None,
    )


@router.get("/{job_id:int}", summary="One job: state, progress, attempts, last error")
def get_job(services: ServicesDep, principal: PrincipalDep, job_id: int) -> JobPublic:
    job = services.jobs.get(job_id, principal=principal)
    if job is None:  # a principal's get raises NotFound itself; this keeps the type narrow
        raise NotFound(f"job {job_id} not found")
    return JobPublic.of(job)


@router.post("/{job_id:int}/retry", summary="Queue a dead-lettered or cancelled job again")
def retry_job(services: ServicesDep, principal: PrincipalDep, job_id: int) -> JobPublic:
    return JobPublic.of(services.jobs.retry(job_id, principal=principal))


@router.post("/{job_id:int}/cancel", summary="Cancel a queued, failed or running job")
def cancel_job(services: ServicesDep, principal: PrincipalDep, job_id: int) -> JobPublic:
    return JobPublic.of(services.jobs.cancel(job_id, principal=principal))
