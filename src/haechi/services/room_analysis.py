"""The room map as a graph (networkx): shared accounts, shared items, migrations; hubs and seeds.

Nodes are rooms. Two rooms are joined when the same account posted in both, when the same item
(see `domain.room_graph`) was posted in both, or when one pointed its members to the other (a
migration, directed). Hub ranking and seeding rooms follow `domain.room_graph`; betweenness is
networkx's normalised betweenness centrality on the undirected graph, exact up to
`BETWEENNESS_EXACT` rooms and estimated from that many source rooms (fixed seed) beyond.

A case's graph is the rooms tied to the case plus the rooms up to two steps from them (the
relays that spread the case's pictures, and the rooms those relays feed), at most `MAX_NODES`
rooms, nearest first, so the view stays readable and the computation bounded.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from haechi.domain.blocklists import safe_cell
from haechi.domain.cases import parse_case_number
from haechi.domain.errors import NotFound
from haechi.domain.room_graph import HubScore, PostFact, RoomFigures, Seed, rank_hubs, seeding
from haechi.domain.rooms import Migration, Room, RoomAlert
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory

MAX_NODES = 300
MAX_DEPTH = 3
#: an account or item seen in more rooms than this adds no pairwise edges (it would join all)
MAX_FANOUT = 200
BETWEENNESS_EXACT = 120
EDGE_COLUMNS = (
    "source", "source_platform", "source_title", "target", "target_platform", "target_title",
    "kind", "weight", "seen_at", "link",
)  # fmt: skip


@dataclass(slots=True)
class Edge:
    source: int
    target: int
    kind: str
    weight: int
    at: float | None = None
    link: str | None = None


@dataclass(slots=True)
class RoomGraph:
    rooms: list[Room]
    edges: list[Edge]
    hubs: list[HubScore]
    seeds: list[Seed]
    migrations: list[Migration]
    alerts: list[RoomAlert] = field(default_factory=list)
    case_id: int | None = None

    def room(self, room_id: int) -> Room | None:
        return next((r for r in self.rooms if r.id == room_id), None)

    def hub(self, room_id: int) -> HubScore | None:
        return next((h for h in self.hubs if h.room_id == room_id), None)


def _pairs(groups: dict[Any, set[int]]) -> Counter[tuple[int, int]]:
    counts: Counter[tuple[int, int]] = Counter()
    for rooms in groups.values():
        if 1 < len(rooms) <= MAX_FANOUT:
            counts.update(itertools.combinations(sorted(rooms), 2))
    return counts


def build(
    rooms: Sequence[Room],
    facts: Sequence[PostFact],
    accounts: Sequence[tuple[int, int]],
    migrations: Sequence[Migration],
) -> RoomGraph:
    ids = {r.id for r in rooms}
    by_account: dict[int, set[int]] = {}
    for room_id, account_id in accounts:
        if room_id in ids:
            by_account.setdefault(account_id, set()).add(room_id)
    by_item: dict[str, set[int]] = {}
    for fact in facts:
        if fact.room_id in ids:
            by_item.setdefault(fact.item_key, set()).add(fact.room_id)
    edges = [Edge(a, b, "shared_accounts", n) for (a, b), n in sorted(_pairs(by_account).items())]
    edges += [Edge(a, b, "shared_items", n) for (a, b), n in sorted(_pairs(by_item).items())]
    moves = [m for m in migrations if m.from_room_id in ids and m.to_room_id in ids]
    edges += [Edge(m.from_room_id, m.to_room_id, "migration", 1, m.seen_at, m.link) for m in moves]
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(sorted(ids))
    for e in edges:
        weight = graph.get_edge_data(e.source, e.target, {}).get("weight", 0)
        graph.add_edge(e.source, e.target, weight=weight + e.weight)
    # exact up to BETWEENNESS_EXACT rooms; beyond, sampled from a fixed seed (same graph, same
    # figures) so that a dense map stays a matter of seconds
    sample = None if len(ids) <= BETWEENNESS_EXACT else BETWEENNESS_EXACT
    between: dict[int, float] = nx.betweenness_centrality(graph, k=sample, normalized=True, seed=0)
    seeds = seeding(f for f in facts if f.room_id in ids)
    seeded = Counter(s.room_id for s in seeds.values() if s.confirmed)
    figures = [
        RoomFigures(r.id, r.confirmed_items, graph.degree(r.id), between[r.id], seeded[r.id])
        for r in rooms
    ]
    ordered = sorted(seeds.values(), key=lambda s: (not s.confirmed, s.posted_at, s.item_key))
    return RoomGraph(list(rooms), edges, rank_hubs(figures), ordered, moves)


class RoomAnalysisService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    def case_graph(self, principal: Principal, case_id: int, *, depth: int = 2) -> RoomGraph:
        """The rooms of a case and the rooms up to `depth` steps from them (case readers with
        room access only)."""
        principal.require(Permission.CASES_READ)
        principal.require(Permission.ROOMS_READ)
        with self._uow() as uow:
            case = uow.cases.get_case_by_id(case_id)
            if case is None or not case.visible_to(principal.org_id):
                raise NotFound(f"case {case_id} not found")
            ids = _expand(uow, uow.rooms.rooms_for_case(case_id), depth)
            graph = _load(uow, ids)
            graph.case_id = case_id
            graph.alerts = uow.rooms.alerts_for_case(case_id)
            record(uow, principal, "room.graph", "case", case.number, rooms=len(ids))
        return graph

    def case_graph_by_number(
        self, principal: Principal, number: str, *, depth: int = 2
    ) -> tuple[int, RoomGraph]:
        """`case_graph` for a case number (the UI's addresses); returns the case id too."""
        with self._uow() as uow:
            case = uow.cases.get_case(parse_case_number(number))
        if case is None or not case.visible_to(principal.org_id):
            raise NotFound(f"case {number[:40]} not found")
        return case.id, self.case_graph(principal, case.id, depth=depth)

    def map_graph(
        self, principal: Principal, *, platform: str | None = None, tag: str | None = None
    ) -> RoomGraph:
        """Every room (newest `MAX_NODES`, optionally one platform or tag): hubs across cases."""
        principal.require(Permission.ROOMS_READ)
        with self._uow() as uow:
            rooms = uow.rooms.list_rooms(platform=platform, tag=tag, limit=MAX_NODES)
            graph = _load(uow, [r.id for r in rooms])
            record(uow, principal, "room.map", "room", "-", rooms=len(rooms))
        return graph


def _expand(uow: UnitOfWork, core: list[int], depth: int) -> list[int]:
    """`core` first, then each ring of neighbours, nearest first, up to `MAX_NODES` rooms."""
    ids, ring = list(core), list(core)
    for _ in range(max(0, min(depth, MAX_DEPTH))):
        ring = sorted(uow.rooms.neighbours(ring) - set(ids))
        if not ring:
            break
        ids += ring[: MAX_NODES - len(ids)]
        if len(ids) >= MAX_NODES:
            break
    return ids


def _load(uow: UnitOfWork, ids: list[int]) -> RoomGraph:
    rooms = uow.rooms.get_rooms(ids)
    return build(
        rooms,
        uow.rooms.post_facts(ids),
        uow.rooms.room_accounts(ids),
        uow.rooms.migrations(ids),
    )


# -- exports ---------------------------------------------------------------------------------------


def _node(graph: RoomGraph, r: Room) -> dict[str, Any]:
    hub = graph.hub(r.id)
    return {
        "id": r.id,
        "platform": r.platform,
        "external_id": r.external_id,
        "title": r.title,
        "tags": list(r.tags),
        "member_count": r.member_count,
        "first_seen_at": r.first_seen_at,
        "last_seen_at": r.last_seen_at,
        "confirmed_items": r.confirmed_items,
        "flagged": r.flagged,
        "link_only": r.link_only,
        "hub_score": hub.score if hub else 0.0,
        "hub_explanation": hub.explanation if hub else "",
        "seeded_items": hub.seeded if hub else 0,
    }


def as_json(graph: RoomGraph) -> dict[str, Any]:
    return {
        "case_id": graph.case_id,
        "nodes": [_node(graph, r) for r in graph.rooms],
        "edges": [
            {"source": e.source, "target": e.target, "kind": e.kind, "weight": e.weight}
            | ({"at": e.at, "link": e.link} if e.kind == "migration" else {})
            for e in graph.edges
        ],
        "hubs": [
            {"room_id": h.room_id, "score": h.score, "explanation": h.explanation}
            for h in graph.hubs
        ],
        "seeds": [
            {"item": s.item_key, "room_id": s.room_id, "posted_at": s.posted_at, "rooms": s.rooms}
            for s in graph.seeds
            if s.confirmed
        ],
        "migrations": [_migration(graph, m) for m in graph.migrations],
    }


def _migration(graph: RoomGraph, m: Migration) -> dict[str, Any]:
    source, target = graph.room(m.from_room_id), graph.room(m.to_room_id)
    return {
        "from_room_id": m.from_room_id,
        "to_room_id": m.to_room_id,
        "from_platform": source.platform if source else None,
        "to_platform": target.platform if target else None,
        "seen_at": m.seen_at,
        "link": m.link,
        "cross_app": bool(source and target and source.platform != target.platform),
    }


def as_csv(graph: RoomGraph) -> str:
    """One edge a row, with both rooms' platform and title (formula-safe)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EDGE_COLUMNS)
    for e in graph.edges:
        a, b = graph.room(e.source), graph.room(e.target)
        writer.writerow(
            [
                *(e.source, a.platform if a else "", safe_cell(a.title if a else "")),
                *(e.target, b.platform if b else "", safe_cell(b.title if b else "")),
                *(e.kind, e.weight, e.at or "", safe_cell(e.link or "")),
            ]
        )
    return out.getvalue()


def as_graphml(graph: RoomGraph) -> str:
    export: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in as_json(graph)["nodes"]:
        attrs = {k: v for k, v in node.items() if isinstance(v, str | int | float)}
        attrs["tags"] = ",".join(node["tags"])
        export.add_node(f"room:{node['id']}", **attrs)
    for e in graph.edges:
        extra = {"seen_at": e.at, "link": e.link} if e.kind == "migration" else {}
        export.add_edge(
            f"room:{e.source}", f"room:{e.target}", kind=e.kind, weight=e.weight, **extra
        )
    return "\n".join(nx.generate_graphml(export)) + "\n"
