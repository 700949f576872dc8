"""Dependency aliases so handler signatures read as what they need (FastAPI `Annotated` style)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from haechi.domain.errors import InvalidInput, MediaTooLarge, Unauthorized
from haechi.http.context import AppServices


def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(get_services)]


def require_caller(request: Request, services: ServicesDep) -> str | None:
    """Bearer-token check. Returns a caller label for audit records (never the token itself)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        digest = hashlib.sha256(token.encode()).hexdigest()
        for known in services.web.token_digests:
            if hmac.compare_digest(digest, known):
                return f"token:{digest[:12]}"
        raise Unauthorized("invalid bearer token")
    if services.web.open_access:
        return None
    raise Unauthorized("a bearer token is required")


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
