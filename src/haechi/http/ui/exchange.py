"""Web UI for exchanges: feedback on this instance's shared hashes (per-hash counters and misfire
rate, worst first) so a source sees which of its hashes misfire, and the review list of hashes held
from sources (review mode or flood quarantine) with bulk approve/reject."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haechi.domain.errors import InvalidInput
from haechi.domain.tenancy import Permission
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render

router = APIRouter(prefix="/ui/exchange", include_in_schema=False)
nav_entry(
    NavEntry("Exchange", "/ui/exchange", Permission.EXCHANGE_ADMIN, "shared hashes and feedback")
)


@router.get("")
def overview(request: Request, services: ServicesDep, principal: UiPrincipalDep) -> HTMLResponse:
    federation = services.federation
    return render(
        request,
        services,
        "exchange.html",
        principal,
        stats=(
            federation.publisher.feedback_stats(principal, limit=200)
            if federation.publisher.can_publish(principal)
            else []
        ),
        publisher=federation.publisher.can_publish(principal),
        held_writes=(
            federation.writes.held(principal, limit=200)
            if federation.publisher.can_publish(principal)
            else []
        ),
        held=federation.sources.held(principal, limit=200),
        sources=federation.sources.list_sources(principal),
    )


@router.post("/held")
async def decide(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep
) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    action = form.get("action")
    if action not in ("approve", "reject") or not ids:
        raise InvalidInput("choose hashes and approve or reject")
    if form.get("kind") == "writes":
        services.federation.writes.decide(principal, ids, approve=action == "approve")
    else:
        services.federation.sources.decide(principal, ids, approve=action == "approve")
    return RedirectResponse("/ui/exchange", status_code=303)
