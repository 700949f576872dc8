"""The routing rules page (`/ui/routing-rules`): an organisation's rules over detector signals.

Everyone who reads cases sees the rules that order their queue; admins and analysts add, switch
off and delete them (plain forms with CSRF, every change audited by the routing service). The page
repeats what the rules can and cannot do: raise priority, flag, notify — never remove or decide.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haechi.domain.detections import SIGNAL_HELP, RuleAction
from haechi.domain.errors import HaechiError
from haechi.domain.tenancy import Permission, Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.errors import status_for
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render

router = APIRouter(prefix="/ui/routing-rules", include_in_schema=False)
nav_entry(
    NavEntry(
        "Routing rules",
        "/ui/routing-rules",
        Permission.CASES_READ,
        "detector signals that move cases up the queue (never remove anything)",
    )
)


def _page(
    request: Request,
    services: AppServices,
    principal: Principal,
    *,
    error: str = "",
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    running, missing = services.detection.service.detectors(principal)
    return render(
        request,
        services,
        "routing_rules.html",
        principal,
        rules=services.detection.routing.rules(principal),
        can_write=principal.can(Permission.ROUTING_RULES_WRITE),
        actions=[a.value for a in RuleAction],
        detectors=running,
        missing=missing,
        signal_help=SIGNAL_HELP,
        error=error,
        typed=typed or {},
    )


@router.get("")
def rules_page(request: Request, services: ServicesDep, principal: UiPrincipalDep) -> HTMLResponse:
    return _page(request, services, principal)


@router.post("")
def create(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    name: Annotated[str, Form()] = "",
    expression: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    try:
        services.detection.routing.create(
            principal, name=name, expression=expression, action=action
        )
    except HaechiError as e:
        typed = {"name": name, "expression": expression, "action": action}
        page = _page(request, services, principal, error=e.message, typed=typed)
        page.status_code = status_for(e)
        return page
    return RedirectResponse("/ui/routing-rules", status_code=303)


@router.post("/{rule_id}/enabled")
def switch(
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    rule_id: int,
    enabled: Annotated[str, Form()] = "",
) -> Response:
    services.detection.routing.update(principal, rule_id, enabled=enabled == "true")
    return RedirectResponse("/ui/routing-rules", status_code=303)


@router.post("/{rule_id}/delete")
def delete(
    services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, rule_id: int
) -> Response:
    services.detection.routing.delete(principal, rule_id)
    return RedirectResponse("/ui/routing-rules", status_code=303)
