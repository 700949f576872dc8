"""Demo rooms for `haechi demo load`, so a fresh instance's room map shows something real.

Benign sample photos only, posted in made-up Telegram rooms: the demo case's room
(`t.me/haechi_demo_room`, named in the demo reports) posts first, two relays repost, and the demo
room finally tells its members to move to a Signal group — the migration alert lands on the demo
case (`/ui/cases/<number>/rooms`). Every identifier is invented.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from haechi.bootstrap import Container
from haechi.cli.demo_cases import DEMO_ROOM
from haechi.domain.tenancy import Principal, Role
from haechi.services.room_import import observation_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: external id -> (title, members, hours after T0, [(photo, account)])
ROOMS: dict[str, tuple[str, int, int, list[tuple[str, str]]]] = {
    "-1009000000001": ("haechi demo room", 212, 0, [("astronaut", "d1"), ("camera", "d2")]),
    "-1009000000002": (
        "Demo relay A",
        1180,
        2,
        [("astronaut", "d1"), ("camera", "d3"), ("coffee", "d4")],
    ),
    "-1009000000003": ("Demo relay B", 960, 3, [("coffee", "d4"), ("chelsea", "d5")]),
}
SIGNAL = "https://signal.group/#CjQKIGhhZWNoaS1kZW1vLWdyb3VwLW9ubHktZm9yLWRlbW9z"


def _reposted(png: bytes) -> bytes:
    """A recompressed copy, as a relay's repost would be (a PDQ near-match)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()


def _observation(c: Container, external_id: str, photos: dict[str, bytes]) -> dict[str, Any]:
    title, members, hours, posts = ROOMS[external_id]
    start = T0 + timedelta(hours=hours)
    own = external_id.endswith("1")
    items = []
    for i, (photo, account) in enumerate(posts):
        data = photos[photo] if own else _reposted(photos[photo])
        values = c.hashing.hash_bytes(data, content_type="photo").values()
        items.append(
            {
                "external_id": str(i + 1),
                "account": {"external_id": account, "handle": f"@{account}_demo"},
                "posted_at": (start + timedelta(minutes=10 * i)).isoformat(),
                "hashes": [{"signal_type": t, "value": values[t]} for t in ("pdq", "md5")],
            }
        )
    return {
        "platform": "telegram",
        "external_id": external_id,
        "title": title,
        "invite_link": DEMO_ROOM if own else None,
        "member_count": members,
        "observed_at": (start + timedelta(hours=1)).isoformat(),
        "posts": items,
    }


def load_rooms(c: Container, photos: Callable[[], dict[str, bytes]]) -> dict[str, int]:
    """Observe the demo rooms unless there are rooms already; returns what was created."""
    kcsc = c.auth.org("KCSC")
    analyst = Principal.of(kcsc, frozenset({Role.ADMIN}), label="demo")
    if c.rooms.directory.list_rooms(analyst, limit=1):
        return {}
    for summary in c.review.queue(analyst, limit=50, include_closed=True):
        c.rooms.directory.rooms_from_reports(analyst, summary.case.id)
    connector = Principal.of(c.auth.org("Telegram"), frozenset({Role.PLATFORM_AGENT}), label="demo")
    loaded = photos()
    c.matcher.refresh()
    for external_id in ROOMS:
        c.rooms.observations.observe(
            connector, observation_of(_observation(c, external_id, loaded))
        )
    moved = {
        "platform": "telegram",
        "external_id": "-1009000000001",
        "title": "haechi demo room",
        "observed_at": (T0 + timedelta(days=1, hours=1)).isoformat(),
        "posts": [
            {
                "external_id": "99",
                "account": {"external_id": "d1", "handle": "@d1_demo"},
                "posted_at": (T0 + timedelta(days=1)).isoformat(),
                "text": f"this room is being reported, move here: {SIGNAL}",
            }
        ],
    }
    result = c.rooms.observations.observe(connector, observation_of(moved))
    return {"rooms": len(ROOMS) + 1, "alerts": len(result.alerts)}
