"""Dependency aliases so handler signatures read as what they need (FastAPI `Annotated` style)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from haechi.domain.credentials import hash_token
from haechi.domain.errors import InvalidInput, MediaTooLarge, Unauthorized
from haechi.domain.tenancy import Principal
from haechi.http.context import AppServices


def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(get_services)]


SESSION_COOKIE = "haechi_session"


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def find_principal(request: Request, services: AppServices) -> Principal | None:
    """The tenant principal behind a bearer token or a web-session cookie, if any."""
    cached = request.scope.get("haechi.principal")
    if isinstance(cached, Principal):
        return cached
    principal: Principal | None = None
    token = _bearer(request)
    if token is not None:
        principal = services.auth.principal_for_token(token)
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        found = services.auth.session(cookie)
        if found is not None:
            principal, request.scope["haechi.csrf"] = found
    if principal is not None:
        request.scope["haechi.principal"] = principal
    return principal


def require_caller(request: Request, services: ServicesDep) -> str | None:
    """Matching and curation callers: a configured service token, a tenant token or session, or
    anyone when open access is on. Returns a label for records (never the token itself)."""
    token = _bearer(request)
    if token is not None:
        digest = hash_token(token)
        for known in services.web.token_digests:
            if hmac.compare_digest(digest, known):
                return f"token:{digest[:12]}"
    principal = find_principal(request, services)
    if principal is not None:
        return principal.actor
    if token is not None:
        raise Unauthorized("invalid bearer token")
    if services.web.open_access:
        return None
    raise Unauthorized("a bearer token is required")


def require_principal(request: Request, services: ServicesDep) -> Principal:
    """Tenant routes: a signed-in user or an organisation's token; never open access."""
    principal = find_principal(request, services)
    if principal is None:
        raise Unauthorized("sign in or send an organisation's bearer token")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]


CallerDep = Annotated[str | None, Depends(require_caller)]


async def read_single_upload(request: Request, max_bytes: int) -> tuple[str, bytes]:
    """HMA's upload rule: exactly one file, in a form field named after its content type."""
    form = await request.form(max_files=2, max_fields=20)
    try:
        files = [(k, v) for k, v in form.multi_items() if isinstance(v, UploadFile)]
        if not files:
            raise InvalidInput("Missing multipart/form-data file upload")
        if len(files) > 1:
            raise InvalidInput("Only one file allowed per request")
        field, upload = files[0]
        data = await upload.read(max_bytes + 1)
    finally:
        await form.close()
    if len(data) > max_bytes:
        raise MediaTooLarge(f"upload exceeds {max_bytes} bytes")
    return field, data


async def form_text(request: Request, name: str) -> str | None:
    form = await request.form()
    value = form.get(name)
    return value if isinstance(value, str) else None
