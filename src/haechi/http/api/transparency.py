"""Transparency reports over the API: `GET /api/v1/transparency?org=&from=&to=&format=`.

An organisation's admins, analysts and auditors get their own organisation's report (org left
out); a regulator's admins and analysts name any organisation. JSON is the default; CSV, HTML and
PDF come back as downloads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from haechi.domain.errors import NotReady
from haechi.domain.transparency import Period
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.transparency import FORMATS

router = APIRouter(prefix="/api/v1", tags=["transparency"])


@router.get(
    "/transparency",
    summary="Transparency report of an organisation for a period (JSON, CSV, HTML or PDF)",
    responses={200: {"content": {"application/json": {}, "text/csv": {}, "application/pdf": {}}}},
)
def transparency(
    services: ServicesDep,
    principal: PrincipalDep,
    start: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD (UTC)")],
    end: Annotated[str, Query(alias="to", description="day after the last, YYYY-MM-DD (UTC)")],
    org: Annotated[str | None, Query(max_length=200)] = None,
    fmt: Annotated[str, Query(alias="format", description=" | ".join(FORMATS))] = "json",
) -> Response:
    service = services.transparency
    if service is None:
        raise NotReady("transparency reports are not configured on this server")
    period = Period.parse(start, end)
    rendered = service.render(principal, org=org, period=period, fmt=fmt)
    disposition = "inline" if rendered.filename.endswith(".json") else "attachment"
    return Response(
        rendered.data,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{rendered.filename}"'},
    )
