"""Web UI for victim-support analysts: enrol a consenting victim's face (with the consent record),
see the centre's enrolments, withdraw one at her request.

The page never shows a face or a template: photos are embedded in memory on submit and dropped,
and the list shows consent records only. There is no search box for faces, by design
(docs/face-matching.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import InvalidInput, NotReady
from haechi.domain.faces import ConsentMethod
from haechi.domain.tenancy import Permission, Principal
from haechi.http.api.face_enrolments import read_enrolment_form
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render

router = APIRouter(prefix="/ui/face-enrolments", include_in_schema=False)
nav_entry(
    NavEntry("Face enrolments", "/ui/face-enrolments", Permission.FACES_ENROL, "victims' consent")
)


def _page(
    request: Request,
    services: AppServices,
    principal: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = datetime.now(UTC).date()
    page = render(
        request,
        services,
        "face_enrolments.html",
        principal,
        enrolments=services.faces.enrolment.enrolments(principal),
        methods=[m.value for m in ConsentMethod],
        unavailable=services.faces.unavailable,
        default_expiry=(today + timedelta(days=365)).isoformat(),
        max_expiry=(today + timedelta(days=730)).isoformat(),
        now=time.time(),
        error=error,
    )
    page.status_code = status
    return page


@router.get("")
def enrolments(request: Request, services: ServicesDep, principal: UiPrincipalDep) -> HTMLResponse:
    return _page(request, services, principal)


@router.post("")
async def enrol(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep
) -> Response:
    try:
        draft, photos, document = await read_enrolment_form(request, services.web.max_upload_bytes)
        await run_in_threadpool(
            services.faces.enrolment.enrol, principal, draft, photos, consent_document=document
        )
    except (InvalidInput, NotReady) as e:
        status = 503 if isinstance(e, NotReady) else 400
        return await run_in_threadpool(
            _page, request, services, principal, error=e.message, status=status
        )
    return RedirectResponse("/ui/face-enrolments", status_code=303)


@router.post("/{enrolment_id:int}/withdraw")
def withdraw(
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    enrolment_id: int,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    services.faces.enrolment.withdraw(principal, enrolment_id, reason=reason)
    return RedirectResponse("/ui/face-enrolments", status_code=303)
