"""HMA-compatible health routes: `/status` (readiness) and `/status/live` (liveness)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from haechi.http.deps import ServicesDep

router = APIRouter(tags=["HMA: status"])


@router.get("/status", response_class=PlainTextResponse, summary="Readiness check")
def status(services: ServicesDep) -> PlainTextResponse:
    if not services.matcher.ready:
        return PlainTextResponse("INDEX-NOT-LOADED", 503)
    limit = services.web.index_stale_after_s  # 0 turns the check off, as in HMA
    if limit > 0 and services.matcher.seconds_since_refresh() > limit:
        return PlainTextResponse("INDEX-STALE", 503)
    return PlainTextResponse("I-AM-ALIVE", 200)


@router.get("/status/live", response_class=PlainTextResponse, summary="Liveness check")
def status_live() -> PlainTextResponse:
    return PlainTextResponse("I-AM-ALIVE", 200)
