"""Who may see and act on background jobs.

An organisation sees the jobs run for it (`jobs:read`); its admins (`jobs:manage`) retry and
cancel them. The instance's operators — admins of a regulator organisation, as for verifying
law-enforcement requests — see and act on every job, instance-wide ones included. For anyone
else a job does not exist (404); a caller without `jobs:read` gets 403 first.
"""

from __future__ import annotations

from haechi.domain.errors import NotFound
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.services.ports_jobs import Job


def is_operator(principal: Principal) -> bool:
    return principal.can(Permission.JOBS_MANAGE) and principal.org_kind is OrgKind.REGULATOR


def scope(principal: Principal) -> int | None:
    """The organisation whose jobs the principal may list (None: every job)."""
    principal.require(Permission.JOBS_READ)
    return None if is_operator(principal) else principal.org_id


def visible(principal: Principal, job: Job | None, job_id: int) -> Job:
    principal.require(Permission.JOBS_READ)
    if job is not None and (is_operator(principal) or job.org_id == principal.org_id):
        return job
    raise NotFound(f"job {job_id} not found")
