"""Web UI of the blocklists: each list's entries (active, scheduled, lifted), adding an entry with
its effective date, and lifting one with a reason. The signed exports themselves are API routes
that ISPs poll; this page links to them."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haechi.domain.blocklists import EntryKind
from haechi.domain.errors import HaechiError, InvalidInput
from haechi.domain.tenancy import Permission, Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render
from haechi.services.blocklists import NewEntry

router = APIRouter(prefix="/ui/blocklists", include_in_schema=False)
nav_entry(
    NavEntry("Blocklists", "/ui/blocklists", Permission.BLOCKLISTS_WRITE, "signed lists for ISPs")
)


@router.get("")
def lists_page(request: Request, services: ServicesDep, principal: UiPrincipalDep) -> HTMLResponse:
    lists = services.rooms.blocklists.lists(principal)
    return render(request, services, "blocklists.html", principal, lists=lists, snap=None)


@router.get("/{name}")
def list_page(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, name: str
) -> HTMLResponse:
    return _page(request, services, principal, name)


def _page(
    request: Request,
    services: AppServices,
    principal: Principal,
    name: str,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    snap = services.rooms.blocklists.snapshot(principal, name)
    entries = services.rooms.blocklists.entries(principal, name)
    page = render(
        request,
        services,
        "blocklists.html",
        principal,
        lists=[],
        snap=snap,
        entries=entries,
        now=time.time(),
        can_write=principal.can(Permission.BLOCKLISTS_WRITE),
        error=error,
    )
    page.status_code = status
    return page


def _moment(value: str, tz: str) -> float | None:
    """A date picker's local time, in the viewer organisation's zone."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz)).timestamp()
    except ValueError:
        raise InvalidInput("effective from: use the date picker (YYYY-MM-DDTHH:MM)") from None


@router.post("/{name}/entries")
def add_entry(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    name: str,
    kind: Annotated[EntryKind, Form()],
    value: Annotated[str, Form(max_length=2048)],
    reason: Annotated[str, Form(max_length=2000)],
    effective_from: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        tz = next((o.timezone for o in services.auth.orgs() if o.id == principal.org_id), "UTC")
        entry = NewEntry(name, kind, value, reason, effective_from=_moment(effective_from, tz))
        services.rooms.blocklists.add(principal, entry)
    except HaechiError as e:
        return _page(request, services, principal, name, error=e.message, status=400)
    return RedirectResponse(f"/ui/blocklists/{name}", status_code=303)


@router.post("/{name}/entries/{entry_id:int}/remove")
def remove_entry(
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    name: str,
    entry_id: int,
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    services.rooms.blocklists.remove(principal, entry_id, reason)
    return RedirectResponse(f"/ui/blocklists/{name}", status_code=303)
