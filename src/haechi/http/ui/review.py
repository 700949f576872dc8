"""The moderator's review queue and case page (Jinja + htmx).

Media are blurred and greyscale by default (`img.guarded`); revealing one is a POST that the review
service audits, answered with the same picture unblurred (an htmx fragment, or the whole page
without JavaScript). The picture itself comes from an authenticated, audited, `no-store` route.
Links reported in items are shown as text, never as links, so nobody opens abusive material by a
mis-click. Times are shown in the viewer's organisation zone.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain import dsa_vocabulary as dsa
from haechi.domain.detections import SIGNAL_HELP
from haechi.domain.errors import HaechiError
from haechi.domain.tenancy import Permission, Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.errors import status_for
from haechi.http.ui.decision_form import decision_input
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render
from haechi.services.review import CaseView

router = APIRouter(prefix="/ui/cases", include_in_schema=False)
nav_entry(
    NavEntry(
        "Review queue",
        "/ui/cases",
        Permission.CASES_READ,
        "reports waiting for a decision, most urgent first",
    )
)
#: the Korean law most deepfake decisions rest on, offered as the form's default
DEFAULT_LEGAL_GROUND = (
    "성폭력범죄의 처벌 등에 관한 특례법 제14조의2 (허위영상물 등의 반포등) · Act on Special "
    "Cases Concerning the Punishment of Sexual Crimes, Art. 14-2 (false video material)"
)
VOCABULARY = {
    "visibilities": sorted(dsa.DECISION_VISIBILITIES),
    "grounds": sorted(dsa.DECISION_GROUNDS),
    "categories": sorted(dsa.STATEMENT_CATEGORIES),
    "keywords": list(dsa.CORE_KEYWORDS),
    "content_types": sorted(dsa.CONTENT_TYPES),
    "automation": ["AUTOMATED_DECISION_NOT_AUTOMATED", "AUTOMATED_DECISION_PARTIALLY"],
}


@router.get("")
def queue(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    closed: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    cases = services.review.queue(principal, limit=200, include_closed=closed)
    hits = services.detection.service.hits_for_cases(principal, [s.case.id for s in cases])
    ctx = {"cases": cases, "closed": closed, "hits": hits}
    return render(request, services, "review_queue.html", principal, **ctx)


def _case_page(
    request: Request,
    services: AppServices,
    principal: Principal,
    view: CaseView,
    **ctx: Any,
) -> HTMLResponse:
    owner = principal.org_id == view.case.owner_org_id
    orgs = {o.id: o.name for o in services.auth.orgs()}
    can_bank = owner and principal.can(Permission.BANKS_WRITE)
    return render(
        request,
        services,
        "review_case.html",
        principal,
        view=view,
        orgs=orgs,
        people=services.auth.colleagues(principal.org_id),
        can_decide=owner and principal.can(Permission.DECISIONS_WRITE),
        can_reveal=principal.can(Permission.MEDIA_REVEAL),
        banks=[b.name for b in services.banks.list_banks()] if can_bank else [],
        vocab=VOCABULARY,
        default_legal_ground=DEFAULT_LEGAL_GROUND,
        detections=services.detection.service.for_case(principal, view.case.number),
        signal_help=SIGNAL_HELP,
        **ctx,
    )


@router.get("/{number}")
def case_page(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    number: str,
    reveal: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    view = services.review.case(principal, number)
    return _case_page(request, services, principal, view, revealed={reveal})


@router.get("/{number}/items/{item_id}/media")
def media(services: ServicesDep, principal: UiPrincipalDep, number: str, item_id: int) -> Response:
    data, media_type = services.review.media(principal, number, item_id)
    headers = {"Cache-Control": "no-store", "Content-Disposition": "inline"}
    return Response(data, media_type=media_type, headers=headers)


@router.post("/{number}/items/{item_id}/reveal")
def reveal(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    number: str,
    item_id: int,
) -> Response:
    item = services.review.record_reveal(principal, number, item_id)
    if request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/ui/cases/{number}?reveal={item.id}#item-{item.id}", 303)
    ctx = {"item": item, "number": number, "revealed": True, "can_reveal": True}
    return render(request, services, "review_media.html", principal, **ctx)


@router.post("/{number}/items/{item_id}/decide")
async def decide(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    number: str,
    item_id: int,
) -> Response:
    form = await request.form()
    try:
        given = decision_input(form)
        await run_in_threadpool(services.review.decide, principal, number, item_id, given)
    except HaechiError as e:
        view = await run_in_threadpool(services.review.case, principal, number)
        ctx = {"error": e.message, "error_item": item_id, "revealed": set()}
        page = await run_in_threadpool(_case_page, request, services, principal, view, **ctx)
        page.status_code = status_for(e)
        return page
    return RedirectResponse(f"/ui/cases/{number}#item-{item_id}", status_code=303)


@router.get("/{number}/decisions/{decision_id}/statement")
def statement(
    services: ServicesDep, principal: UiPrincipalDep, number: str, decision_id: int
) -> Response:
    """The statement of reasons as a JSON download (audited as an export)."""
    sor = services.review.statement_of_reasons(principal, number, decision_id)
    filename = f"{number}-decision-{decision_id}-sor.json"
    return Response(
        json.dumps(sor, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
