"""The web UI's shell: templates, sign-in/out, CSRF, navigation and time-zone display.

UI modules register their navigation entries with `nav_entry` (label, link, permission), so the
menu shows each person only what their roles allow. Every state-changing form must pass
`CsrfDep`; htmx requests send the token in the `X-CSRF-Token` header (set on <body>).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from haechi.domain.errors import Forbidden, RateLimited, Unauthorized
from haechi.domain.tenancy import Permission, Principal
from haechi.http.api.reports import client_address
from haechi.http.deps import SESSION_COOKIE, ServicesDep, find_principal

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    href: str
    permission: Permission
    hint: str = ""
    #: a further check where a permission alone does not say who may go there (role-based pages)
    visible: Callable[[Principal], bool] | None = None

    def shown_to(self, principal: Principal) -> bool:
        return principal.can(self.permission) and (self.visible is None or self.visible(principal))


NAV: list[NavEntry] = []


def nav_entry(entry: NavEntry) -> None:
    if entry not in NAV:
        NAV.append(entry)


def localtime(ts: float | None, tz: str = "UTC", fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Stored UTC seconds shown in the viewer's zone (KST for Korean organisations)."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).astimezone(ZoneInfo(tz)).strftime(fmt)


TEMPLATES.env.filters["localtime"] = localtime


def ui_principal(request: Request, services: ServicesDep) -> Principal:
    principal = find_principal(request, services)
    if principal is None or request.scope.get("haechi.csrf") is None:
        raise Unauthorized("sign in first")
    return principal


UiPrincipalDep = Annotated[Principal, Depends(ui_principal)]


def check_csrf(
    request: Request, principal: UiPrincipalDep, csrf: Annotated[str | None, Form()] = None
) -> None:
    """Double-submit check against the session's token (form field or X-CSRF-Token header)."""
    expected = str(request.scope.get("haechi.csrf", ""))
    given = csrf or request.headers.get("x-csrf-token", "")
    if not expected or not hmac.compare_digest(expected, given):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


CsrfDep = Annotated[None, Depends(check_csrf)]


def render(
    request: Request, services: Any, template: str, principal: Principal | None, **context: Any
) -> HTMLResponse:
    org = None
    if principal is not None:
        org = next((o for o in services.auth.orgs() if o.id == principal.org_id), None)
    items = [n for n in NAV if principal is not None and n.shown_to(principal)]
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "principal": principal,
            "csrf": request.scope.get("haechi.csrf"),
            "org_name": org.name if org else "",
            "tz": org.timezone if org else "UTC",
            "nav_items": items,
            **context,
        },
    )


@router.get("/login")
def login_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return render(request, services, "login.html", None)


@router.post("/login")
def login(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    address = client_address(request)
    try:
        services.public_guard.admit_login(address, email)
        session = services.auth.login(email, password)
    except (Unauthorized, RateLimited) as e:
        if isinstance(e, Unauthorized):
            services.public_guard.failed_login(address, email)
        page = render(request, services, "login.html", None, error=e.message, email=email)
        page.status_code = 401 if isinstance(e, Unauthorized) else 429
        return page
    response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, services: ServicesDep, _csrf: CsrfDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services.auth.logout(token)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, services: ServicesDep, principal: UiPrincipalDep) -> HTMLResponse:
    return render(request, services, "home.html", principal)
