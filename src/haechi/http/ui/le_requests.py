"""Web UI for law-enforcement requests: the platform's LE inbox (verified requests only), the
police's list of what they submitted, and a regulator's held queue — one page, ordered by due
time, with response-time percentiles per platform. Answering and submitting go through the API
for now; account names are shown as text, never as links.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from haechi.domain.tenancy import OrgKind, Permission
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import NavEntry, UiPrincipalDep, nav_entry, render

router = APIRouter(prefix="/ui/le-requests", include_in_schema=False)
nav_entry(NavEntry("LE requests", "/ui/le-requests", Permission.LE_REQUEST, "requests you sent"))
nav_entry(NavEntry("LE inbox", "/ui/le-requests", Permission.LE_RESPOND, "police requests to you"))


@router.get("")
def le_list(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> HTMLResponse:
    board = services.le.dashboard.dashboard(principal, days=days)
    titles = {OrgKind.POLICE: "Requests you sent", OrgKind.PLATFORM: "Law-enforcement inbox"}
    return render(
        request,
        services,
        "le_list.html",
        principal,
        board=board,
        title=titles.get(principal.org_kind, "Requests held for verification"),
        now=time.time(),
    )
