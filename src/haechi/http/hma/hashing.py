"""HMA-compatible hashing routes: `/h/hash` by URL (GET) or by upload (POST)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from haechi.http.context import AppServices
from haechi.http.deps import CallerDep, ServicesDep, read_single_upload
from haechi.services.hashing import HashResult

router = APIRouter(prefix="/h", tags=["HMA: hashing"])


@router.get("/hash", summary="Hash content from URL")
def hash_url(
    services: ServicesDep,
    _caller: CallerDep,
    url: Annotated[str, Query(description="URL of the media to hash")],
    content_type: Annotated[str | None, Query()] = None,
    types: Annotated[str | None, Query(description="comma-separated signal types")] = None,
) -> dict[str, str]:
    return services.hashing.hash_url(url, content_type=content_type, types=types).values()


async def hash_upload(
    request: Request, services: AppServices, types: str | None, *, dihedral: bool = False
) -> HashResult:
    field, data = await read_single_upload(request, services.web.max_upload_bytes)
    services.registry.content_type(field)
    return await run_in_threadpool(
        services.hashing.hash_bytes, data, content_type=field, types=types, dihedral=dihedral
    )


@router.post(
    "/hash", summary="Hash an uploaded file (multipart, field named after its content type)"
)
async def hash_post(
    request: Request,
    services: ServicesDep,
    _caller: CallerDep,
    types: Annotated[str | None, Query()] = None,
) -> dict[str, str]:
    result = await hash_upload(request, services, types)
    return result.values()
