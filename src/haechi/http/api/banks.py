"""haechi's own bank API: everything HMA's `/c` routes do, plus paging, thresholds, withdrawal,
bulk import and export."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import InvalidInput, MediaTooLarge
from haechi.http.api.schemas import (
    BankCreate,
    BankPublic,
    BankUpdate,
    ContentCreate,
    ContentPage,
    ContentPublic,
    ContentUpdate,
    ImportResult,
)
from haechi.http.api.videos import bank_video
from haechi.http.deps import CallerDep, ServicesDep, read_single_upload
from haechi.services.banks import BankChanges
from haechi.services.ports import NewContent

router = APIRouter(prefix="/api/v1/banks", tags=["banks"])
Format = Literal["csv", "json"]


@router.get("", summary="List banks")
def list_banks(services: ServicesDep, _caller: CallerDep) -> list[BankPublic]:
    return [BankPublic.of(b) for b in services.banks.list_banks()]


@router.post("", status_code=201, summary="Create a bank")
def create_bank(services: ServicesDep, _caller: CallerDep, body: BankCreate) -> BankPublic:
    bank = services.banks.create_bank(
        body.name,
        matching_enabled_ratio=body.matching_enabled_ratio,
        thresholds=body.thresholds,
        description=body.description,
    )
    return BankPublic.of(bank)


@router.get("/{name}", summary="Get a bank")
def get_bank(services: ServicesDep, _caller: CallerDep, name: str) -> BankPublic:
    return BankPublic.of(services.banks.get_bank(name))


@router.patch("/{name}", summary="Rename, enable/disable or re-threshold a bank")
def update_bank(
    services: ServicesDep, _caller: CallerDep, name: str, body: BankUpdate
) -> BankPublic:
    ratio = body.matching_enabled_ratio
    if ratio is None and body.enabled is not None:
        ratio = 1.0 if body.enabled else 0.0
    changes = BankChanges(
        name=body.name,
        matching_enabled_ratio=ratio,
        thresholds=body.thresholds,
        description=body.description,
    )
    return BankPublic.of(services.banks.update_bank(name, changes))


@router.delete("/{name}", status_code=204, summary="Delete a bank and its content")
def delete_bank(services: ServicesDep, _caller: CallerDep, name: str) -> None:
    if not services.banks.delete_bank(name):
        services.banks.get_bank(name)


@router.get("/{name}/content", summary="Page through a bank's content (keyset by id)")
def page_content(
    services: ServicesDep,
    _caller: CallerDep,
    name: str,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    include_withdrawn: bool = False,
) -> ContentPage:
    page = services.banks.page_content(
        name, after_id=after, limit=limit, include_withdrawn=include_withdrawn
    )
    now = time.time()
    return ContentPage(
        items=[ContentPublic.of(c, now) for c in page.items],
        total=page.total,
        next_after=page.next_after,
    )


@router.post("/{name}/content", status_code=201, summary="Add content by its hashes")
def add_signals(
    services: ServicesDep, caller: CallerDep, name: str, body: ContentCreate
) -> ContentPublic:
    item = NewContent(signals=body.signals, note=body.note, metadata=body.metadata, source=caller)
    return ContentPublic.of(services.banks.add_content(name, item), time.time())


@router.post("/{name}/content/upload", status_code=201, summary="Add content by upload or URL")
async def add_media(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    name: str,
    url: str | None = None,
    note: str | None = None,
) -> ContentPublic:
    await run_in_threadpool(services.banks.get_bank, name)
    if url:
        field, data = await run_in_threadpool(services.hashing.fetch, url)
    else:
        field, data = await read_single_upload(request, services.web.max_upload_bytes)
    if field == "video" and services.videos.enabled():  # vPDQ follows from a job
        banked = await bank_video(
            services, name, data, note=note, metadata=None, caller=caller, url=url
        )
        return ContentPublic.of(banked.content, time.time())
    services.registry.content_type(field)
    result = await run_in_threadpool(services.hashing.hash_bytes, data, content_type=field)
    item = NewContent(
        signals=result.values(),
        qualities={k: v.quality for k, v in result.hashes.items()},
        note=note,
        original_media_uri=url,
        source=caller,
    )
    content = await run_in_threadpool(services.banks.add_content, name, item)
    return ContentPublic.of(content, time.time())


@router.get("/{name}/content/{content_id}", summary="Get one item")
def get_content(
    services: ServicesDep, _caller: CallerDep, name: str, content_id: int
) -> ContentPublic:
    return ContentPublic.of(services.banks.get_content(name, content_id), time.time())


@router.patch("/{name}/content/{content_id}", summary="Disable, re-enable or withdraw an item")
def update_content(
    services: ServicesDep, _caller: CallerDep, name: str, content_id: int, body: ContentUpdate
) -> ContentPublic:
    if body.withdrawn is False:
        raise InvalidInput("withdrawal cannot be undone; add the content again instead")
    note: object = body.note if "note" in body.model_fields_set else ...
    content = services.banks.update_content(
        name,
        content_id,
        disable_until_ts=body.disable_until_ts,
        note=note,
        withdraw=bool(body.withdrawn),
    )
    return ContentPublic.of(content, time.time())


@router.delete("/{name}/content/{content_id}", status_code=204, summary="Delete an item")
def delete_content(services: ServicesDep, _caller: CallerDep, name: str, content_id: int) -> None:
    if not services.banks.delete_content(name, content_id):
        services.banks.get_content(name, content_id)


@router.post("/{name}/import", summary="Bulk import hashes (CSV or JSON lines); all or nothing")
async def import_hashes(
    request: Request, services: ServicesDep, caller: CallerDep, name: str, format: Format = "csv"
) -> ImportResult:
    limit = services.web.max_upload_bytes
    raw = await request.body()
    if len(raw) > limit:
        raise MediaTooLarge(f"import exceeds {limit} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("import must be UTF-8 text") from None
    report = await run_in_threadpool(
        services.transfer.import_text, name, text, fmt=format, source=caller
    )
    return ImportResult(
        rows=report.rows, added=report.added, skipped_duplicates=report.skipped_duplicates
    )


@router.get("/{name}/export", summary="Export a bank's hashes (CSV or JSON lines)")
def export_hashes(
    services: ServicesDep, _caller: CallerDep, name: str, format: Format = "csv"
) -> StreamingResponse:
    services.banks.get_bank(name)
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    filename = f"{name}.{'csv' if format == 'csv' else 'jsonl'}"
    return StreamingResponse(
        services.transfer.export_text(name, fmt=format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
