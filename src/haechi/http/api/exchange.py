"""The exchange API, publisher side: the signed feed subscribers poll, feedback they send back,
grants of banks to subscriber organisations, and per-hash feedback counters for the source."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from haechi.http.api.exchange_schemas import (
    DecideIn,
    FeedbackIn,
    GrantIn,
    feed_public,
    grant_public,
    stat_public,
)
from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


@router.get("/feed", summary="Adds and retractions of the banks granted to the caller, signed")
def feed(
    services: ServicesDep,
    principal: PrincipalDep,
    since: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    publisher = services.federation.publisher
    page = publisher.feed(principal, since=since, limit=limit)
    body = json.dumps(feed_public(page, since), sort_keys=True, separators=(",", ":")).encode()
    headers = {**publisher.sign(body), "Cache-Control": "no-store"}
    return Response(body, media_type="application/json", headers=headers)


@router.get("/key", summary="The public key feed pages are signed with (PEM)")
def public_key(services: ServicesDep) -> PlainTextResponse:
    return PlainTextResponse(services.federation.publisher.public_key_pem())


@router.post("/feedback", summary="Verdicts on hashes received from this instance")
def feedback(services: ServicesDep, principal: PrincipalDep, body: FeedbackIn) -> dict[str, Any]:
    items = [(i.id, i.verdict) for i in body.items]
    return services.federation.publisher.receive_feedback(principal, items)


@router.get("/feedback", summary="Per shared hash: feedback counters and misfire rate")
def feedback_stats(
    services: ServicesDep,
    principal: PrincipalDep,
    bank: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    stats = services.federation.publisher.feedback_stats(principal, bank_name=bank, limit=limit)
    return [stat_public(s, name) for s, name in stats]


@router.get("/grants", summary="Which organisations may read which banks")
def grants(services: ServicesDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return [grant_public(g) for g in services.federation.publisher.grants(principal)]


@router.post("/grants", status_code=201, summary="Grant a bank's feed to an organisation")
def add_grant(services: ServicesDep, principal: PrincipalDep, body: GrantIn) -> dict[str, Any]:
    view = services.federation.publisher.grant(
        principal, org_name=body.org, bank_name=body.bank, regions=body.regions
    )
    return grant_public(view)


@router.delete("/grants/{grant_id:int}", status_code=204, summary="Revoke a grant")
def revoke_grant(services: ServicesDep, principal: PrincipalDep, grant_id: int) -> None:
    services.federation.publisher.revoke(principal, grant_id)


@router.get("/held-writes", summary="Bank writes held by flood control (instance operators)")
def held_writes(
    services: ServicesDep,
    principal: PrincipalDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    held = services.federation.writes.held(principal, limit=limit, after=after)
    return [{"content_id": h.content_id, "source": h.source, "at": h.at} for h in held]


@router.post("/held-writes/decide", summary="Approve (start matching) or reject held writes")
def decide_writes(services: ServicesDep, principal: PrincipalDep, body: DecideIn) -> dict[str, int]:
    done = services.federation.writes.decide(principal, body.ids, approve=body.approve)
    return {"decided": done}
