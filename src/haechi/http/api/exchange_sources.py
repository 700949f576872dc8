"""The exchange API, subscriber side: sources this instance polls, polling on demand, the review
list of held hashes (review mode and flood quarantine) with bulk decisions, and feedback."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import HaechiError
from haechi.domain.tenancy import Permission
from haechi.http.api.exchange_schemas import (
    DecideIn,
    SourceIn,
    SourceUpdate,
    VerdictIn,
    import_public,
    source_public,
)
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.federation_sources import SourceInput

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


@router.get("/sources", summary="Sources this organisation subscribes to")
def list_sources(services: ServicesDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return [source_public(s) for s in services.federation.sources.list_sources(principal)]


@router.post("/sources", status_code=201, summary="Subscribe to a source")
def add_source(services: ServicesDep, principal: PrincipalDep, body: SourceIn) -> dict[str, Any]:
    source = services.federation.sources.add(principal, SourceInput(**body.model_dump()))
    return source_public(source)


@router.get("/sources/{name}", summary="One source, its checkpoint and last error")
def get_source(services: ServicesDep, principal: PrincipalDep, name: str) -> dict[str, Any]:
    return source_public(services.federation.sources.get(principal, name))


@router.patch("/sources/{name}", summary="Change trust mode, flood limit, interval, enablement")
def update_source(
    services: ServicesDep, principal: PrincipalDep, name: str, body: SourceUpdate
) -> dict[str, Any]:
    source = services.federation.sources.update(principal, name, **body.model_dump())
    return source_public(source)


@router.delete("/sources/{name}", status_code=204, summary="Unsubscribe (imported hashes stay)")
def delete_source(services: ServicesDep, principal: PrincipalDep, name: str) -> None:
    services.federation.sources.delete(principal, name)


@router.post("/sources/{name}/poll", summary="Poll a source now")
async def poll_source(services: ServicesDep, principal: PrincipalDep, name: str) -> dict[str, Any]:
    services.federation.sources.get(principal, name)  # ownership and permission
    report = await run_in_threadpool(services.federation.poller.poll, name)
    return asdict(report)


@router.get("/held", summary="Hashes held for review (review mode or flood quarantine)")
def held(
    services: ServicesDep,
    principal: PrincipalDep,
    source: str | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    rows = services.federation.sources.held(principal, source=source, limit=limit, after=after)
    return [import_public(r, name) for r, name in rows]


@router.post("/held/decide", summary="Approve (start matching) or reject held hashes in bulk")
def decide(services: ServicesDep, principal: PrincipalDep, body: DecideIn) -> dict[str, int]:
    done = services.federation.sources.decide(principal, body.ids, approve=body.approve)
    return {"decided": done}


@router.post("/imports/{import_id:int}/feedback", summary="Send a verdict back to the source")
async def send_verdict(
    services: ServicesDep, principal: PrincipalDep, import_id: int, body: VerdictIn
) -> dict[str, Any]:
    principal.require(Permission.EXCHANGE_ADMIN)
    item = await run_in_threadpool(
        services.federation.sources.feedback, principal, import_id, body.verdict
    )
    try:
        sent = await run_in_threadpool(services.federation.poller.flush_feedback, item.source_id)
    except HaechiError as e:
        return {"queued": True, "sent": 0, "error": e.message}
    return {"queued": True, "sent": sent, "error": None}
