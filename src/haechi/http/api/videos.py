"""Videos in banks (issue 6): upload now, vPDQ from a background job.

`POST /api/v1/banks/{name}/videos` answers 202 at once with the new content's exact digests
(byte-identical copies match immediately) and the `video.hash` job that adds its vPDQ; follow it
at `/api/v1/jobs/{id}`. The upload routes that take any media (`/content/upload` here and HMA's
`/c/bank/{name}/content`) hand a `video` field to the same flow through `bank_video_upload`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import InvalidInput
from haechi.http.api.video_schemas import BankedVideoPublic
from haechi.http.context import AppServices
from haechi.http.deps import CallerDep, ServicesDep, read_single_upload
from haechi.services.videos import BankedVideo

router = APIRouter(prefix="/api/v1/banks", tags=["videos"])


@router.post(
    "/{name}/videos",
    status_code=202,
    summary="Add a video (multipart field `video`); vPDQ is computed by a background job",
)
async def add_video(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    name: str,
    note: str | None = None,
) -> BankedVideoPublic:
    await run_in_threadpool(services.banks.get_bank, name)
    field, data = await read_single_upload(request, services.web.max_upload_bytes)
    if field != "video":
        raise InvalidInput("upload the file in a form field named 'video'")
    banked = await bank_video(services, name, data, note=note, metadata=None, caller=caller)
    return BankedVideoPublic(
        content_id=banked.content.id,
        bank=name,
        signals=dict(banked.content.signals),
        job_id=banked.job_id,
    )


async def bank_video(
    services: AppServices,
    bank: str,
    data: bytes,
    *,
    note: str | None,
    metadata: dict[str, Any] | None,
    caller: str | None,
    url: str | None = None,
) -> BankedVideo:
    """Bank an uploaded (or fetched) video: digests now, vPDQ in the `video.hash` job."""
    return await run_in_threadpool(
        lambda: services.videos.add_to_bank(
            bank, data, note=note, metadata=metadata, source=caller, url=url
        )
    )
