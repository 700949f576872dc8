"""Web UI for background jobs: a live list with progress bars (htmx swaps the table every few
seconds), one job's detail with its last error, and the dead-letter actions — retry a dead job,
cancel an unfinished one — for those allowed (`jobs:manage`). Forms post with the session's CSRF
token and work without JavaScript; htmx only keeps the figures current.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haechi.domain.errors import InvalidInput, NotFound
from haechi.domain.tenancy import Permission
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render
from haechi.services.job_access import is_operator
from haechi.services.ports_jobs import RETRYABLE, JobState

router = APIRouter(prefix="/ui/jobs", include_in_schema=False)
nav_entry(NavEntry("Jobs", "/ui/jobs", Permission.JOBS_READ, "background work and its progress"))
POLL_S = 3
#: the list's tabs: label → states shown (None: all)
VIEWS: dict[str, tuple[JobState, ...] | None] = {
    "open": (JobState.QUEUED, JobState.RUNNING, JobState.FAILED),
    "dead": (JobState.DEAD,),
    "all": None,
}


def _states(view: str) -> tuple[JobState, ...] | None:
    if view not in VIEWS:
        raise InvalidInput(f"view must be one of {list(VIEWS)}")
    return VIEWS[view]


@router.get("")
def job_list(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    view: str = "open",
    kind: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    states = _states(view)
    kind = kind or None
    if states is None:
        found = services.jobs.list(principal=principal, kind=kind, limit=200)
    else:
        found = [
            job
            for state in states
            for job in services.jobs.list(principal=principal, state=state, kind=kind, limit=200)
        ]
        found.sort(key=lambda j: j.id, reverse=True)
    fragment = request.headers.get("hx-request") == "true"
    return render(
        request,
        services,
        "jobs_live.html" if fragment else "jobs_list.html",
        principal,
        jobs=found,
        counts=services.jobs.counts(principal=principal),
        view=view,
        views=list(VIEWS),
        kind=kind or "",
        poll_s=POLL_S,
        can_manage=principal.can(Permission.JOBS_MANAGE),
        operator=is_operator(principal),
        retryable=RETRYABLE,
        handled=services.jobs.kinds(),
        org_names=_org_names(services),
    )


@router.get("/{job_id:int}")
def job_detail(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, job_id: int
) -> HTMLResponse:
    job = services.jobs.get(job_id, principal=principal)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return render(
        request,
        services,
        "jobs_detail.html",
        principal,
        job=job,
        payload=json.dumps(dict(job.payload), indent=2, sort_keys=True, ensure_ascii=False),
        can_manage=principal.can(Permission.JOBS_MANAGE),
        retryable=RETRYABLE,
        poll_s=POLL_S,
        org_names=_org_names(services),
    )


def _org_names(services: AppServices) -> dict[int, str]:
    return {org.id: org.name for org in services.auth.orgs()}


def _back(request: Request) -> Response:
    target = request.headers.get("referer", "")
    path = target.split("://", 1)[-1].partition("/")[2]
    safe = "/" + path if path.startswith("ui/jobs") else "/ui/jobs"
    return RedirectResponse(safe, status_code=303)


@router.post("/{job_id:int}/retry")
def retry(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, job_id: int
) -> Response:
    services.jobs.retry(job_id, principal=principal)
    return _back(request)


@router.post("/{job_id:int}/cancel")
def cancel(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, job_id: int
) -> Response:
    services.jobs.cancel(job_id, principal=principal)
    return _back(request)
