"""Rooms over the API: connectors report observations, analysts import chat exports, read the
map, tag rooms and tie them to cases; a case's room graph as JSON, CSV or GraphML.

Every route needs an organisation's token or session; the services enforce the permissions
(`rooms:observe` for connectors, `rooms:read` / `rooms:write` for analysts, plus `cases:read` and
the case's visibility for a case graph).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import MediaTooLarge
from haechi.http.api.room_schemas import (
    CaseLinkIn,
    ObservationIn,
    ObservationOut,
    RoomDetailPublic,
    RoomPublic,
    TagsIn,
)
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.room_analysis import as_csv, as_graphml, as_json
from haechi.services.rooms import ObservationResult

router = APIRouter(prefix="/api/v1", tags=["rooms"])


def _out(result: ObservationResult) -> ObservationOut:
    return ObservationOut(
        room_id=result.room_id,
        created=result.created,
        posts_added=result.posts_added,
        items=result.items,
        cases=result.cases,
        migrations=result.migrations,
        alerts=result.alerts,
    )


@router.post("/rooms/observations", summary="Report what a connector observed in a room")
def observe(services: ServicesDep, principal: PrincipalDep, body: ObservationIn) -> ObservationOut:
    result = services.rooms.observations.observe(principal, body.domain())
    return _out(result)


@router.post(
    "/rooms/import",
    summary="Import an analyst's chat export (CSV, observation JSON, Telegram Desktop JSON)",
)
async def import_export(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    filename: Annotated[str, Query(max_length=200, description="name.csv forces CSV")] = "",
) -> list[ObservationOut]:
    data = await request.body()
    if len(data) > services.web.max_upload_bytes:
        raise MediaTooLarge("the export is too large")
    if "csv" in request.headers.get("content-type", "") and not filename:
        filename = "export.csv"
    imports = services.rooms.imports
    results = await run_in_threadpool(imports.import_file, principal, data, filename)
    return [_out(r) for r in results]


@router.get("/rooms", summary="Rooms, most recently seen first (filter by platform or tag)")
def list_rooms(
    services: ServicesDep,
    principal: PrincipalDep,
    platform: str | None = None,
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[RoomPublic]:
    rooms = services.rooms.directory.list_rooms(principal, platform=platform, tag=tag, limit=limit)
    return [RoomPublic.of(r) for r in rooms]


@router.get("/rooms/hubs", summary="Hubs and seeding rooms across the map (or a platform / tag)")
def hubs(
    services: ServicesDep,
    principal: PrincipalDep,
    platform: str | None = None,
    tag: str | None = None,
) -> dict[str, Any]:
    graph = services.rooms.analysis.map_graph(principal, platform=platform, tag=tag)
    found = as_json(graph)
    return {k: found[k] for k in ("hubs", "seeds", "migrations")}


@router.get("/rooms/{room_id:int}", summary="One room: member counts, posts, migrations")
def get_room(services: ServicesDep, principal: PrincipalDep, room_id: int) -> RoomDetailPublic:
    return RoomDetailPublic.of(services.rooms.directory.detail(principal, room_id))


@router.put("/rooms/{room_id:int}/tags", summary="Set a room's institution tags")
def set_tags(
    services: ServicesDep, principal: PrincipalDep, room_id: int, body: TagsIn
) -> RoomPublic:
    return RoomPublic.of(services.rooms.directory.set_tags(principal, room_id, body.tags))


@router.post("/rooms/{room_id:int}/cases", summary="Tie a room to a case")
def link_case(
    services: ServicesDep, principal: PrincipalDep, room_id: int, body: CaseLinkIn
) -> RoomPublic:
    return RoomPublic.of(services.rooms.directory.link_case(principal, room_id, body.case_number))


@router.post(
    "/cases/{case_id:int}/rooms/from-reports",
    summary="Tie the rooms named in a case's reports to the case",
)
def rooms_from_reports(
    services: ServicesDep, principal: PrincipalDep, case_id: int
) -> list[RoomPublic]:
    rooms = services.rooms.directory.rooms_from_reports(principal, case_id)
    return [RoomPublic.of(r) for r in rooms]


@router.get(
    "/cases/{case_id:int}/room-graph",
    summary="The case's rooms and their neighbours: nodes, edges, hubs, seeds, migrations",
    response_model=None,
)
def room_graph(
    services: ServicesDep,
    principal: PrincipalDep,
    case_id: int,
    format: Literal["json", "csv", "graphml"] = "json",
) -> dict[str, Any] | Response:
    graph = services.rooms.analysis.case_graph(principal, case_id)
    name = f"case-{case_id}-rooms"
    if format == "csv":
        return PlainTextResponse(
            as_csv(graph),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "graphml":
        return Response(
            as_graphml(graph),
            media_type="application/graphml+xml",
            headers={"content-disposition": f'attachment; filename="{name}.graphml"'},
        )
    found = as_json(graph)
    found["alerts"] = [
        {
            "id": a.id,
            "case_id": a.case_id,
            "created_at": a.created_at,
            "from_room_id": a.migration.from_room_id,
            "to_room_id": a.migration.to_room_id,
            "to_platform": a.to_platform,
            "link": a.migration.link,
        }
        for a in graph.alerts
    ]
    return found
