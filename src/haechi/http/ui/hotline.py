"""The hotline thread page of a case (`/ui/cases/{number}/thread`), linked from the case page.

Opening the page records read receipts for what it shows; posting is a plain form with CSRF.
Overdue reply clocks are flagged; times are shown in the viewer's organisation zone.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import HaechiError
from haechi.domain.hotline import MessageDraft
from haechi.domain.tenancy import Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.errors import status_for
from haechi.http.ui.shell import CsrfDep, UiPrincipalDep, render

router = APIRouter(prefix="/ui/cases", include_in_schema=False)


def _page(
    request: Request, services: AppServices, principal: Principal, number: str, error: str = ""
) -> HTMLResponse:
    view = services.hotline.threads.thread(principal, number)
    if view.messages:
        services.hotline.threads.mark_read(principal, number, [m.id for m in view.messages])
    return render(
        request,
        services,
        "hotline_thread.html",
        principal,
        view=view,
        names=view.participants,
        now=time.time(),
        error=error,
    )


@router.get("/{number}/thread")
def thread(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, number: str
) -> HTMLResponse:
    return _page(request, services, principal, number)


@router.post("/{number}/thread")
def post(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    number: str,
    body: Annotated[str, Form()] = "",
    to_org: Annotated[str, Form()] = "",
    reply_within_h: Annotated[str, Form()] = "",
) -> Response:
    try:
        addressee = int(to_org) if to_org.isdigit() else None
        hours = float(reply_within_h) if addressee and reply_within_h else None
        draft = MessageDraft(body, addressee, hours)
        services.hotline.threads.post(principal, number, draft)
    except ValueError:
        return _page(request, services, principal, number, error="reply time must be hours")
    except HaechiError as e:
        page = _page(request, services, principal, number, error=e.message)
        page.status_code = status_for(e)
        return page
    return RedirectResponse(f"/ui/cases/{number}/thread", status_code=303)


@router.get("/{number}/evidence")
async def evidence(services: ServicesDep, principal: UiPrincipalDep, number: str) -> Response:
    data = await run_in_threadpool(services.hotline.evidence.export, principal, number)
    headers = {"Content-Disposition": f'attachment; filename="{number}-evidence.zip"'}
    return Response(data, media_type="application/zip", headers=headers)
