"""Law-enforcement requests over the API: police submit and renew, regulators verify held ones,
the addressed platform answers. Every route needs an organisation's token or session; the
services decide who may see and answer what (held requests do not exist for the platform)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from haechi.http.api.le_schemas import (
    DomainIn,
    LeRequestCreate,
    ResponseCreate,
    VerifyIn,
    dashboard_public,
    request_public,
)
from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["law-enforcement requests"])
BASE = "/le-requests"


@router.post(BASE, status_code=201, summary="Submit a law-enforcement request (police)")
def submit(services: ServicesDep, principal: PrincipalDep, body: LeRequestCreate) -> dict[str, Any]:
    upload = body.attachment.upload() if body.attachment else None
    request = services.le.requests.submit(principal, body.draft(), attachment=upload)
    return request_public(request, time.time())


@router.get(BASE, summary="Police: requests submitted · platform: inbox · regulator: held queue")
def list_requests(
    services: ServicesDep,
    principal: PrincipalDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    found = services.le.requests.list_requests(principal, open_only=open_only, limit=limit)
    now = time.time()
    return [request_public(r, now) for r in found]


@router.get(f"{BASE}/dashboard", summary="Open requests by due time; response-time percentiles")
def dashboard(
    services: ServicesDep, principal: PrincipalDep, days: Annotated[int, Query(ge=1, le=3650)] = 90
) -> dict[str, Any]:
    return dashboard_public(services.le.dashboard.dashboard(principal, days=days), time.time())


@router.get(BASE + "/{request_id:int}", summary="One request and its requester's history")
def get_request(services: ServicesDep, principal: PrincipalDep, request_id: int) -> dict[str, Any]:
    request, requester = services.le.requests.get(principal, request_id)
    return request_public(request, time.time(), requester)


@router.get(BASE + "/{request_id:int}/attachment", summary="The legal document")
def attachment(services: ServicesDep, principal: PrincipalDep, request_id: int) -> Response:
    meta, data = services.le.requests.attachment(principal, request_id)
    disposition = f'attachment; filename="{meta.key[:16]}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(data, media_type="application/octet-stream", headers=headers)


@router.post(BASE + "/{request_id:int}/verify", summary="Release or reject a held request")
def verify(
    services: ServicesDep, principal: PrincipalDep, request_id: int, body: VerifyIn
) -> dict[str, Any]:
    request = services.le.verification.verify(
        principal, request_id, accept=body.accept, note=body.note
    )
    return request_public(request, time.time())


@router.post(BASE + "/{request_id:int}/responses", summary="Answer a request (platform)")
def respond(
    services: ServicesDep, principal: PrincipalDep, request_id: int, body: ResponseCreate
) -> dict[str, Any]:
    request = services.le.requests.respond(principal, request_id, body.draft())
    return request_public(request, time.time())


@router.post(BASE + "/{request_id:int}/renew", summary="Renew a preservation hold (once)")
def renew(services: ServicesDep, principal: PrincipalDep, request_id: int) -> dict[str, Any]:
    return request_public(services.le.requests.renew(principal, request_id), time.time())


@router.post("/le-domains", summary="Register a police organisation's verified e-mail domain")
def add_domain(services: ServicesDep, principal: PrincipalDep, body: DomainIn) -> list[str]:
    return services.le.verification.add_domain(principal, org=body.org, domain=body.domain)
