"""haechi's own hashing and matching API, with PDQ quality and match events HMA lacks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from haechi.http.api.schemas import (
    HashPublic,
    HashResponse,
    LookupRequest,
    LookupResponse,
    MatchEventPublic,
    MatchPublic,
)
from haechi.http.api.video_schemas import VideoMatchPublic
from haechi.http.deps import CallerDep, ServicesDep
from haechi.http.hma.hashing import hash_upload
from haechi.services.hashing import HashResult
from haechi.services.lookup import LookupOptions

router = APIRouter(prefix="/api/v1", tags=["matching"])


def _hashes(result: HashResult) -> dict[str, HashPublic]:
    return {k: HashPublic(value=v.value, quality=v.quality) for k, v in result.hashes.items()}


@router.post("/hash", summary="Hash an upload (field named after its content type)")
async def hash_media(
    request: Request, services: ServicesDep, _caller: CallerDep, types: str | None = None
) -> HashResponse:
    result = await hash_upload(request, services, types)
    return HashResponse(
        content_type=result.content_type, hashes=_hashes(result), low_quality=result.low_quality
    )


@router.post("/lookup", summary="Match a hash against the banks")
def lookup(services: ServicesDep, caller: CallerDep, body: LookupRequest) -> LookupResponse:
    options = LookupOptions(
        banks=set(body.banks) if body.banks else None,
        bypass_coinflip=True,
        requester=caller,
        route="api.lookup",
    )
    hits = services.lookup.lookup_signal(body.signal_type, body.signal, options)
    return LookupResponse(
        matches={
            body.signal_type: [
                MatchPublic(
                    bank=h.bank_name,
                    content_id=h.content_id,
                    distance=h.distance,
                    video=VideoMatchPublic.of(h.video),
                )
                for h in hits
            ]
        }
    )


@router.post(
    "/lookup/upload", summary="Hash an upload and match it (optionally all 8 orientations)"
)
async def lookup_upload(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    dihedral: bool = False,
    banks: Annotated[str | None, Query(description="comma-separated")] = None,
) -> LookupResponse:
    result = await hash_upload(request, services, None, dihedral=dihedral)
    options = LookupOptions(
        banks=set(banks.split(",")) if banks else None,
        bypass_coinflip=True,
        requester=caller,
        route="api.lookup",
    )
    variants = [h.value for h in result.dihedral] or None
    found = await run_in_threadpool(services.lookup.lookup_media, result, options, variants)
    matches = {
        st: [
            MatchPublic(
                bank=h.bank_name,
                content_id=h.content_id,
                distance=h.distance,
                transform=found.transforms.get(h.content_id),
                video=VideoMatchPublic.of(h.video),
            )
            for h in hits
        ]
        for st, hits in found.matches.items()
    }
    return LookupResponse(matches=matches, hashes=_hashes(result), low_quality=result.low_quality)


@router.get("/match-events", summary="Recent match events (newest first)")
def match_events(
    services: ServicesDep,
    _caller: CallerDep,
    bank: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[MatchEventPublic]:
    return [
        MatchEventPublic(
            at=e.at,
            route=e.route,
            signal_type=e.signal_type,
            query_value=e.query_value,
            bank=e.bank_name,
            content_id=e.content_id,
            distance=e.distance,
            transform=e.transform,
        )
        for e in services.lookup.recent_events(limit=limit, bank=bank)
    ]


@router.get("/signal-types", summary="Signal types with their default and maximum thresholds")
def signal_types(services: ServicesDep, _caller: CallerDep) -> list[dict[str, Any]]:
    return [
        {
            "name": st.name,
            "default_threshold": st.default_threshold,
            "max_threshold": st.max_threshold,
            "min_quality": st.min_quality,
            "content_types": [
                ct.name
                for ct in services.registry.content_types.values()
                if st.name in ct.signal_types
            ],
        }
        for st in services.registry.signal_types.values()
    ]
