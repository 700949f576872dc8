"""Law-enforcement dashboards and the preservation reminder sweep.

The dashboard shows a caller's open requests ordered by due time (police: what they submitted;
platforms: verified requests addressed to them; regulators: the held queue) and response-time
percentiles per platform over the requests the caller may see (regulators: the whole instance).
The sweep reminds police, once, two weeks before a preservation hold expires unrenewed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.audit import AuditRecord
from haechi.domain.errors import Forbidden
from haechi.domain.le_requests import DAY, Status
from haechi.domain.le_responses import LeRequest, percentile
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.domain.webhooks import Event
from haechi.services.audit import record
from haechi.services.le_paging import summary
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.webhooks import enqueue


@dataclass(frozen=True, slots=True)
class PlatformTimes:
    platform: str
    answered: int
    refused: int
    late: int
    p50_s: float | None
    p90_s: float | None


@dataclass(frozen=True, slots=True)
class LeDashboard:
    open: list[LeRequest]
    platforms: list[PlatformTimes]


def response_times(closed: list[LeRequest]) -> list[PlatformTimes]:
    """Receipt-to-answer percentiles per platform (rejected requests never reached one)."""
    by_platform: dict[str, list[LeRequest]] = defaultdict(list)
    for request in closed:
        if request.took is not None and request.status is not Status.REJECTED:
            by_platform[request.platform_org].append(request)
    rows = []
    for platform, requests in sorted(by_platform.items()):
        took = [r.took for r in requests if r.took is not None]
        rows.append(
            PlatformTimes(
                platform=platform,
                answered=sum(1 for r in requests if r.status is Status.ANSWERED),
                refused=sum(1 for r in requests if r.status is Status.REFUSED),
                late=sum(1 for r in requests if r.clock is not None and r.clock.late),
                p50_s=percentile(took, 50),
                p90_s=percentile(took, 90),
            )
        )
    return rows


class LeDashboardService:
    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, now: Callable[[], float] = time.time
    ) -> None:
        self._uow = uow_factory
        self._now = now

    def dashboard(self, principal: Principal, *, days: int = 90) -> LeDashboard:
        since = self._now() - days * DAY
        org, kind = principal.org_id, principal.org_kind
        with self._uow() as uow:
            store = uow.le_requests
            closed = store.closed_since(since)
            if principal.can(Permission.LE_REQUEST) and kind is OrgKind.POLICE:
                open_ = store.list_for_police(org, open_only=True, limit=500)
                closed = [r for r in closed if r.police_org_id == org]
            elif principal.can(Permission.LE_RESPOND) and kind is OrgKind.PLATFORM:
                open_ = store.list_for_platform(org, open_only=True, limit=500)
                closed = [r for r in closed if r.platform_org_id == org]
            elif principal.can(Permission.LE_VERIFY) and kind is OrgKind.REGULATOR:
                open_ = store.list_held(limit=500)
            else:
                raise Forbidden("this action needs a law-enforcement request permission")
            record(uow, principal, "le_request.dashboard", "le_request", "-", days=days)
        open_.sort(key=lambda r: (r.due_at is None, r.due_at or r.submitted_at))
        return LeDashboard(open_, response_times(closed))

    def remind_preservations(self, limit: int = 100) -> int:
        """Tell the police, once, that a hold expires in two weeks and may be renewed."""
        now = self._now()
        with self._uow() as uow:
            due = uow.le_requests.expiring(now, limit)
            for request in due:
                uow.le_requests.set_reminded(request.id, now)
                expires = request.preservation.expires_at if request.preservation else None
                uow.audit.append(
                    AuditRecord(
                        actor="system:le",
                        action="le_request.remind_renewal",
                        resource_type="le_request",
                        resource_id=str(request.id),
                        org_id=request.police_org_id,
                        detail={"expires_at": expires},
                    )
                )
                data = summary(request) | {"preserve_until": expires}
                enqueue(
                    uow,
                    org_id=request.police_org_id,
                    event=Event.LE_PRESERVATION_EXPIRING,
                    data=data,
                    at=now,
                )
        return len(due)
