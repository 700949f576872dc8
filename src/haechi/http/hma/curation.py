"""HMA-compatible curation routes under `/c`: banks, bank content, signal and content types.

Shapes and status codes follow HMA's OpenMediaMatch curation blueprint, including its use of 403
for a bank name that is already taken.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from haechi.domain.banks import Bank, BankContent
from haechi.domain.errors import Conflict, Forbidden, InvalidInput
from haechi.http.api.videos import bank_video
from haechi.http.deps import CallerDep, ServicesDep, read_single_upload
from haechi.http.hma.content_io import content_json, request_metadata_and_note
from haechi.services.banks import BankChanges
from haechi.services.ports import NewContent

router = APIRouter(prefix="/c", tags=["HMA: curation"])


def bank_json(bank: Bank) -> dict[str, Any]:
    return {"name": bank.name, "matching_enabled_ratio": bank.matching_enabled_ratio}


class BankCreate(BaseModel):
    name: str
    enabled_ratio: float | None = 1.0
    enabled: bool | None = None


class BankUpdate(BaseModel):
    name: str | None = None
    enabled_ratio: float | None = None
    enabled: bool | None = None


@router.get("/banks", summary="List banks")
def banks_index(services: ServicesDep, _caller: CallerDep) -> list[dict[str, Any]]:
    return [bank_json(b) for b in services.banks.list_banks()]


@router.post("/banks", status_code=201, summary="Create bank")
def bank_create(services: ServicesDep, _caller: CallerDep, body: BankCreate) -> dict[str, Any]:
    ratio = 1.0
    if "enabled_ratio" in body.model_fields_set and body.enabled_ratio is not None:
        ratio = body.enabled_ratio
    elif body.enabled is not None:
        ratio = 1.0 if body.enabled else 0.0
    try:
        return bank_json(services.banks.create_bank(body.name, matching_enabled_ratio=ratio))
    except Conflict as e:
        raise Forbidden(e.message) from None


@router.get("/bank/{bank_name}", summary="Get bank")
def bank_show(services: ServicesDep, _caller: CallerDep, bank_name: str) -> dict[str, Any]:
    return bank_json(services.banks.get_bank(bank_name))


@router.put("/bank/{bank_name}", summary="Update bank")
def bank_update(
    services: ServicesDep, _caller: CallerDep, bank_name: str, body: BankUpdate
) -> dict[str, Any]:
    ratio = body.enabled_ratio
    if ratio is None and body.enabled is not None:
        ratio = 1.0 if body.enabled else 0.0
    try:
        bank = services.banks.update_bank(
            bank_name, BankChanges(name=body.name, matching_enabled_ratio=ratio)
        )
    except Conflict as e:
        raise Forbidden(e.message) from None
    return bank_json(bank)


@router.delete("/bank/{bank_name}", summary="Delete bank")
def bank_delete(services: ServicesDep, _caller: CallerDep, bank_name: str) -> dict[str, str]:
    services.banks.delete_bank(bank_name)
    return {"message": "Done"}


@router.get("/bank/{bank_name}/content/{content_id}", summary="Get bank content")
def bank_get_content(
    services: ServicesDep,
    _caller: CallerDep,
    bank_name: str,
    content_id: int,
    include_signals: Annotated[str, Query()] = "false",
    include_metadata: Annotated[str, Query()] = "true",
) -> dict[str, Any]:
    content = services.banks.get_content(bank_name, content_id)
    bank = services.banks.get_bank(bank_name)
    return content_json(
        content,
        bank_json(bank),
        signals=include_signals.lower() == "true",
        metadata=include_metadata.lower() == "true",
    )


def _added(content: BankContent) -> dict[str, Any]:
    return {"id": content.id, "signals": content.signals}


@router.post("/bank/{bank_name}/content", summary="Add content by URL or upload")
async def bank_add_content(
    request: Request,
    services: ServicesDep,
    _caller: CallerDep,
    bank_name: str,
    url: Annotated[str | None, Query()] = None,
    content_type: Annotated[str | None, Query()] = None,
    types: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    await run_in_threadpool(services.banks.get_bank, bank_name)
    metadata, note = await request_metadata_and_note(request)
    if url:
        field, data = await run_in_threadpool(
            partial(services.hashing.fetch, url, content_type=content_type)
        )
    elif request.headers.get("content-type", "").startswith("multipart/form-data"):
        field, data = await read_single_upload(request, services.web.max_upload_bytes)
    else:
        raise InvalidInput("Neither `url` nor multipart file upload was received")
    if field == "video" and services.videos.enabled() and types is None:
        banked = await bank_video(
            services, bank_name, data, note=note, metadata=metadata, caller=_caller, url=url
        )  # digests now, vPDQ from a background job
        return _added(banked.content)
    services.registry.content_type(field)
    result = await run_in_threadpool(
        services.hashing.hash_bytes, data, content_type=field, types=types
    )
    item = NewContent(
        signals=result.values(),
        qualities={k: v.quality for k, v in result.hashes.items()},
        note=note,
        metadata=metadata,
        source=_caller,
    )
    content = await run_in_threadpool(services.banks.add_content, bank_name, item)
    return _added(content)


@router.post("/bank/{bank_name}/signal", summary="Add content by its hashes")
def bank_add_signals(
    services: ServicesDep,
    _caller: CallerDep,
    bank_name: str,
    payload: Annotated[Any, Body()],
) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidInput("this endpoint expects a json object payload")
    services.banks.get_bank(bank_name)
    note = payload.pop("note", None)
    item = NewContent(signals=payload, note=note, source=_caller)
    content = services.banks.add_content(bank_name, item)
    return _added(content)


@router.put("/bank/{bank_name}/content/{content_id}", summary="Update bank content")
def bank_update_content(
    services: ServicesDep,
    _caller: CallerDep,
    bank_name: str,
    content_id: int,
    payload: Annotated[Any, Body()],
) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidInput("this endpoint expects a json object payload")
    disable: int | None = None
    if "disable_until_ts" in payload:
        try:
            disable = int(payload["disable_until_ts"])
        except (TypeError, ValueError):
            raise InvalidInput(f"Invalid int: '{payload['disable_until_ts']}'") from None
    content = services.banks.update_content(
        bank_name, content_id, disable_until_ts=disable, note=payload.get("note", ...)
    )
    bank = services.banks.get_bank(bank_name)
    return {
        "id": content.id,
        "disable_until_ts": content.disable_until_ts,
        "collab_metadata": {},
        "original_media_uri": content.original_media_uri,
        "bank": bank_json(bank),
        "user_metadata": content.metadata,
        "note": content.note,
    }


@router.delete("/bank/{bank_name}/content/{content_id}", summary="Remove content from a bank")
def bank_delete_content(
    services: ServicesDep, _caller: CallerDep, bank_name: str, content_id: int
) -> dict[str, int]:
    return {"deleted": services.banks.delete_content(bank_name, content_id)}


@router.get("/signal_type", summary="List signal types")
def signal_types(services: ServicesDep, _caller: CallerDep) -> list[dict[str, Any]]:
    return [{"name": n, "enabled_ratio": 1.0} for n in services.registry.signal_types]


@router.get("/content_type", summary="List content types")
def content_types(services: ServicesDep, _caller: CallerDep) -> list[dict[str, Any]]:
    return [{"name": n, "enabled": True} for n in services.registry.content_types]
