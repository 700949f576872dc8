"""What the room map says: which room seeded an item, and which rooms are hubs (and why).

An *item* is one picture as haechi knows it: a bank content id when the posted hash matched the
bank, else a case item, else the hash itself (`pdq:…`). The *seeding room* of an item is the room
of its earliest post (ties broken by post id: the first one recorded). A *hub* spreads confirmed
material and connects rooms; its score is a weighted sum of three normalised figures, each
divided by the largest in the graph so that scores compare within one graph:

    score = 0.5 · confirmed items spread + 0.3 · betweenness + 0.2 · degree

Betweenness (how many shortest paths between other rooms pass through this one) finds the rooms
that bridge communities; degree counts the rooms it shares accounts or items with, or migrated
to or from. The explanation string says each term so nobody has to trust an opaque number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WEIGHT_ITEMS = 0.5
WEIGHT_BETWEENNESS = 0.3
WEIGHT_DEGREE = 0.2


@dataclass(frozen=True, slots=True)
class PostFact:
    """One posted item: the room, the post, the poster, when, and whether the item is confirmed."""

    room_id: int
    post_id: int
    account_id: int | None
    posted_at: float
    item_key: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Seed:
    item_key: str
    room_id: int
    post_id: int
    posted_at: float
    #: distinct rooms the item was seen in
    rooms: int
    confirmed: bool


def seeding(facts: Iterable[PostFact]) -> dict[str, Seed]:
    """The earliest post of each item, with how many rooms it reached."""
    first: dict[str, PostFact] = {}
    rooms: dict[str, set[int]] = {}
    confirmed: dict[str, bool] = {}
    for fact in facts:
        rooms.setdefault(fact.item_key, set()).add(fact.room_id)
        confirmed[fact.item_key] = confirmed.get(fact.item_key, False) or fact.confirmed
        best = first.get(fact.item_key)
        if best is None or (fact.posted_at, fact.post_id) < (best.posted_at, best.post_id):
            first[fact.item_key] = fact
    return {
        key: Seed(key, f.room_id, f.post_id, f.posted_at, len(rooms[key]), confirmed[key])
        for key, f in first.items()
    }


@dataclass(frozen=True, slots=True)
class HubScore:
    room_id: int
    score: float
    confirmed_items: int
    degree: int
    betweenness: float
    seeded: int
    explanation: str


@dataclass(frozen=True, slots=True)
class RoomFigures:
    room_id: int
    confirmed_items: int
    degree: int
    betweenness: float
    seeded: int = 0


def _share(value: float, largest: float) -> float:
    return value / largest if largest > 0 else 0.0


def rank_hubs(figures: Iterable[RoomFigures]) -> list[HubScore]:
    """Rooms by hub score, highest first (ties: more items, then lower room id)."""
    rows = list(figures)
    top_items = max((r.confirmed_items for r in rows), default=0)
    top_between = max((r.betweenness for r in rows), default=0.0)
    top_degree = max((r.degree for r in rows), default=0)
    scored = []
    for r in rows:
        items = WEIGHT_ITEMS * _share(r.confirmed_items, top_items)
        between = WEIGHT_BETWEENNESS * _share(r.betweenness, top_between)
        degree = WEIGHT_DEGREE * _share(r.degree, top_degree)
        score = round(items + between + degree, 4)
        explanation = (
            f"{score:.3f} = 0.5*{r.confirmed_items}/{top_items} confirmed items"
            f" + 0.3*{r.betweenness:.3f}/{top_between:.3f} betweenness"
            f" + 0.2*{r.degree}/{top_degree} linked rooms"
        )
        scored.append(
            HubScore(
                r.room_id, score, r.confirmed_items, r.degree, r.betweenness, r.seeded, explanation
            )
        )
    scored.sort(key=lambda h: (-h.score, -h.confirmed_items, h.room_id))
    return scored
