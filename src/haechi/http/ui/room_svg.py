"""Server-side layout of a room graph as SVG: one lane per platform, rooms left to right in the
order they were first seen, so a move from Telegram to Signal reads as an arrow down and right.

Deterministic (no randomness, no JavaScript, nothing downloaded): the same graph always draws the
same picture. Node size grows with the member count (log scale), a red ring marks flagged rooms,
a gold ring and a rank the top hubs. Same-lane edges are drawn as arcs so they do not run
through the rooms between their ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from haechi.services.room_analysis import RoomGraph

LANE_H = 170
#: node centre below the lane's top: arcs run above the nodes, labels below
NODE_Y = 62
TOP = 30
LEFT = 150
STEP = 140
RIGHT = 90
TOP_HUBS = 3
COLOURS = {
    "telegram": "#229ED9",
    "signal": "#3A76F0",
    "simplex": "#7a4ce0",
    "viber": "#7360F2",
    "discord": "#5865F2",
    "whatsapp": "#25A244",
    "kakaotalk": "#c9a800",
    "line": "#06A04A",
}
EDGE_STYLE = {
    "shared_accounts": ("#4a6fa5", ""),
    "shared_items": ("#d9822b", "6 4"),
    "migration": ("#c0392b", ""),
}


@dataclass(frozen=True, slots=True)
class SvgNode:
    room_id: int
    x: float
    y: float
    r: float
    colour: str
    label: str
    label_y: float
    hub_y: float
    tooltip: str
    flagged: bool
    hub_rank: int | None


@dataclass(frozen=True, slots=True)
class SvgEdge:
    d: str
    kind: str
    colour: str
    dash: str
    width: float
    tooltip: str


@dataclass(slots=True)
class SvgGraph:
    width: int
    height: int
    lanes: list[tuple[float, str, str]] = field(default_factory=list)
    nodes: list[SvgNode] = field(default_factory=list)
    edges: list[SvgEdge] = field(default_factory=list)


def _radius(members: int | None) -> float:
    return min(24.0, 8.0 + 4.0 * math.log10((members or 0) + 1))


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(graph: RoomGraph) -> SvgGraph:
    order = sorted(graph.rooms, key=lambda r: (r.first_seen_at, r.id))
    platforms: list[str] = []
    for room in order:
        if room.platform not in platforms:
            platforms.append(room.platform)
    lane = {p: TOP + LANE_H * i + NODE_Y for i, p in enumerate(platforms)}
    ranks = {h.room_id: i + 1 for i, h in enumerate(graph.hubs[:TOP_HUBS]) if h.score > 0}
    svg = SvgGraph(
        width=int(LEFT + STEP * max(len(order) - 1, 0) + RIGHT + 40),
        height=int(TOP + LANE_H * max(len(platforms), 1) + 20),
        lanes=[(lane[p] - NODE_Y, p, COLOURS.get(p, "#6b7280")) for p in platforms],
    )
    where: dict[int, tuple[float, float, float]] = {}
    for i, room in enumerate(order):
        x, y, r = LEFT + STEP * i, lane[room.platform], _radius(room.member_count)
        where[room.id] = (x, y, r)
        hub = graph.hub(room.id)
        tooltip = (
            f"{room.title} ({room.platform}) · {room.member_count or '?'} members · "
            f"{room.confirmed_items} confirmed items" + (f" · hub {hub.explanation}" if hub else "")
        )
        label_y = y + 24 + 16 + (26 if i % 2 else 0)  # neighbours' labels on two rows
        svg.nodes.append(
            SvgNode(
                room.id, x, y, r, COLOURS.get(room.platform, "#6b7280"), _short(room.title),
                label_y, label_y + 13, tooltip, room.flagged, ranks.get(room.id),
            )
        )  # fmt: skip
    svg.edges = _edges(graph, where)
    return svg


def _edges(graph: RoomGraph, where: dict[int, tuple[float, float, float]]) -> list[SvgEdge]:
    edges = []
    for edge in graph.edges:
        if edge.source not in where or edge.target not in where:
            continue
        colour, dash = EDGE_STYLE.get(edge.kind, ("#888", ""))
        x1, y1, r1 = where[edge.source]
        x2, y2, r2 = where[edge.target]
        width = 1.2 + min(edge.weight, 6) * 0.5
        label = edge.kind.replace("_", " ")
        edges.append(
            SvgEdge(_path(x1, y1, r1, x2, y2, r2), edge.kind, colour, dash, width,
                    f"{label}: {edge.weight}" + (f" · {edge.link}" if edge.link else ""))
        )  # fmt: skip
    return edges


def _path(x1: float, y1: float, r1: float, x2: float, y2: float, r2: float) -> str:
    """A straight segment between lanes, an arc within one; ends stop at the circles' edges."""
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    sx, sy = x1 + ux * r1, y1 + uy * r1
    ex, ey = x2 - ux * (r2 + 3), y2 - uy * (r2 + 3)
    if abs(y1 - y2) > 1:
        return f"M{sx:.1f},{sy:.1f} L{ex:.1f},{ey:.1f}"
    lift = min(NODE_Y - 6.0, 18 + abs(x2 - x1) * 0.12)
    cx, cy = (x1 + x2) / 2, y1 - lift
    return f"M{x1:.1f},{y1 - r1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2 - r2 - 3:.1f}"
