"""Web UI of the room map: the rooms list with the hub ranking, one room (member counts, posts,
links out), and a case's room graph drawn server-side as SVG with its migration timeline.

Links and invite links are shown as text, never as clickable links: nobody opens a distribution
room by mis-clicking in haechi. Forms (tags, blocking a case's rooms, rooms named in reports)
pass the CSRF check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haechi.domain.tenancy import Permission
from haechi.http.deps import ServicesDep
from haechi.http.ui.room_svg import COLOURS, EDGE_STYLE, layout
from haechi.http.ui.shell import CsrfDep, NavEntry, UiPrincipalDep, nav_entry, render

router = APIRouter(prefix="/ui", include_in_schema=False)
nav_entry(
    NavEntry("Rooms", "/ui/rooms", Permission.ROOMS_READ, "distribution rooms, hubs, migrations")
)
BLOCKLIST = "confirmed"


@router.get("/rooms")
def rooms_page(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    platform: Annotated[str | None, Query(max_length=32)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    platform, tag = platform or None, tag or None
    rooms = services.rooms.directory.list_rooms(principal, platform=platform, tag=tag, limit=500)
    graph = services.rooms.analysis.map_graph(principal, platform=platform, tag=tag)
    titles = {r.id: r for r in graph.rooms}
    return render(
        request,
        services,
        "rooms_list.html",
        principal,
        rooms=rooms,
        hubs=[(h, titles[h.room_id]) for h in graph.hubs[:10] if h.score > 0],
        platform=platform or "",
        tag=tag or "",
        colours=COLOURS,
    )


@router.get("/rooms/{room_id:int}")
def room_page(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, room_id: int
) -> HTMLResponse:
    detail = services.rooms.directory.detail(principal, room_id)
    return render(
        request,
        services,
        "rooms_detail.html",
        principal,
        d=detail,
        can_write=principal.can(Permission.ROOMS_WRITE),
        peak=max((count for _, count in detail.samples), default=0),
    )


@router.post("/rooms/{room_id:int}/tags")
def set_tags(
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    room_id: int,
    tags: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    services.rooms.directory.set_tags(principal, room_id, tags.replace(",", " ").split())
    return RedirectResponse(f"/ui/rooms/{room_id}", status_code=303)


@router.get("/cases/{number}/rooms")
def case_rooms(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    number: str,
    depth: Annotated[int, Query(ge=0, le=3)] = 2,
) -> HTMLResponse:
    case_id, graph = services.rooms.analysis.case_graph_by_number(principal, number, depth=depth)
    rooms = {r.id: r for r in graph.rooms}
    return render(
        request,
        services,
        "rooms_graph.html",
        principal,
        number=number.upper(),
        case_id=case_id,
        graph=graph,
        svg=layout(graph),
        rooms=rooms,
        seeds=[s for s in graph.seeds if s.confirmed][:50],
        depth=depth,
        edge_style=EDGE_STYLE,
        can_block=principal.can(Permission.BLOCKLISTS_WRITE),
        can_write=principal.can(Permission.ROOMS_WRITE) and principal.can(Permission.CASES_WRITE),
        blocklist=BLOCKLIST,
    )


@router.post("/cases/{number}/rooms/from-reports")
def rooms_from_reports(
    services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, number: str
) -> Response:
    case_id, _graph = services.rooms.analysis.case_graph_by_number(principal, number, depth=0)
    services.rooms.directory.rooms_from_reports(principal, case_id)
    return RedirectResponse(f"/ui/cases/{number}/rooms", status_code=303)


@router.post("/cases/{number}/rooms/block")
def block_rooms(
    services: ServicesDep, principal: UiPrincipalDep, _csrf: CsrfDep, number: str
) -> Response:
    case_id, _graph = services.rooms.analysis.case_graph_by_number(principal, number, depth=0)
    services.rooms.blocklists.add_case_rooms(principal, BLOCKLIST, case_id)
    return RedirectResponse(f"/ui/cases/{number}/rooms?blocked=1", status_code=303)
