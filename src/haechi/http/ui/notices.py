"""Web UI for takedown notices: the list (a platform's inbox, a regulator's sent notices), one
notice with its SLA clocks, and the platform's acknowledge and per-item outcome forms.

Times are shown in the viewer's organisation zone (`localtime`), durations with `duration`.
Item values (URLs, links) are shown as text, never as links: nobody opens abusive material by
mis-clicking in haechi.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import InvalidInput
from haechi.domain.notices import SENDER_KINDS, ItemOutcome, Notice, Outcome
from haechi.domain.tenancy import Permission, Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import TEMPLATES, CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render
from haechi.services.board import format_duration

router = APIRouter(prefix="/ui/notices", include_in_schema=False)
TEMPLATES.env.filters["duration"] = format_duration
nav_entry(
    NavEntry("Notices", "/ui/notices", Permission.NOTICES_READ, "takedown notices and their clocks")
)
nav_entry(
    NavEntry(
        "SLA board", "/ui/board", Permission.NOTICES_READ, "live takedown figures per platform"
    )
)


def can_send(principal: Principal) -> bool:
    return principal.can(Permission.NOTICES_SEND) and principal.org_kind in SENDER_KINDS


def can_answer(principal: Principal, notice: Notice) -> bool:
    return principal.can(Permission.NOTICES_RESPOND) and principal.org_id == notice.to_org_id


@router.get("")
def notice_list(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> HTMLResponse:
    notices = services.notices.list_notices(principal, open_only=open_only, limit=200)
    return render(
        request,
        services,
        "notices_list.html",
        principal,
        notices=notices,
        open_only=open_only,
        now=time.time(),
        can_send=can_send(principal),
    )


def _detail(
    request: Request,
    services: AppServices,
    principal: Principal,
    notice: Notice,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    page = render(
        request,
        services,
        "notices_detail.html",
        principal,
        notice=notice,
        now=time.time(),
        can_answer=can_answer(principal, notice),
        outcomes=[o.value for o in Outcome],
        error=error,
    )
    page.status_code = status
    return page


@router.get("/{notice_id:int}")
def notice_detail(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, notice_id: int
) -> HTMLResponse:
    return _detail(request, services, principal, services.notices.get(principal, notice_id))


@router.post("/{notice_id:int}/acknowledge")
def acknowledge(
    services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, notice_id: int
) -> Response:
    services.notices.acknowledge(principal, notice_id)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


def parse_outcomes(form: Any) -> list[ItemOutcome]:
    """`outcome_<item id>` (blank: not answered now) and `reason_<item id>` form fields."""
    found = []
    for key, value in form.multi_items():
        if not key.startswith("outcome_") or not isinstance(value, str) or not value:
            continue
        try:
            item_id, outcome = int(key.removeprefix("outcome_")), Outcome(value)
        except ValueError:
            raise InvalidInput(f"unknown outcome or item: {key}={value[:40]}") from None
        reason = form.get(f"reason_{item_id}")
        found.append(ItemOutcome(item_id, outcome, reason if isinstance(reason, str) else None))
    return found


@router.post("/{notice_id:int}/outcomes")
async def report_outcomes(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    notice_id: int,
) -> Response:
    form = await request.form()
    try:
        outcomes = parse_outcomes(form)
        await run_in_threadpool(services.notices.report_outcomes, principal, notice_id, outcomes)
    except InvalidInput as e:
        notice = await run_in_threadpool(services.notices.get, principal, notice_id)
        return _detail(request, services, principal, notice, error=e.message, status=400)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)
