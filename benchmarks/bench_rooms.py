"""The room map at scale: observation ingest, graph analysis and blocklist exports (issue 8).

A generated network (no pictures: random MD5 values, some of them banked so posts carry confirmed
items) of R rooms in communities of 8 sharing their posters, plus 30 relay accounts active
everywhere: every observation brings P posts, 30 % re-posting one of 200 banked items, 2 %
announcing a move to one of 50 Signal groups. Measured on SQLite in a
temporary directory:
- ingest: posts per second through `RoomService.observe` (matching, case links, migrations);
- the map graph (networkx: shared accounts/items, betweenness, hubs) over the newest 300 rooms,
  and one case's graph (two steps out);
- a blocklist of N domains rendered and signed as text, CSV and RPZ.
There is no peer to compare with (no other open tool builds this map), so no ratio is printed.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._common import write_result
from haechi import bootstrap
from haechi.config import Settings
from haechi.domain.blocklists import EntryKind, Format
from haechi.domain.tenancy import Principal, Role
from haechi.services.blocklists import NewEntry
from haechi.services.ports import NewContent
from haechi.services.room_import import observation_of

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _md5(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _account(rng: random.Random, room: int) -> str:
    """Mostly the room's own community (8 rooms share a pool of 40), sometimes a relay account
    active across the network (1 in 20 posts, from 30 such accounts)."""
    if rng.random() < 0.05:
        return f"relay{rng.randrange(30)}"
    return f"c{room // 8}-u{rng.randrange(40)}"


def _observation(rng: random.Random, i: int, posts: int, banked: list[str]) -> dict[str, Any]:
    start = T0 + timedelta(minutes=7 * i)
    items = []
    for j in range(posts):
        value = rng.choice(banked) if rng.random() < 0.3 else _md5(rng)
        text = (
            f"moved: https://signal.group/#G{rng.randrange(50)}x" if rng.random() < 0.02 else None
        )
        items.append(
            {
                "external_id": str(j),
                "account": {"external_id": _account(rng, i)},
                "posted_at": (start + timedelta(seconds=j)).isoformat(),
                "text": text,
                "hashes": [{"signal_type": "md5", "value": value}],
            }
        )
    return {
        "platform": "telegram",
        "external_id": f"-100{i:010d}",
        "title": f"room {i}",
        "member_count": rng.randrange(10, 1200),
        "observed_at": (start + timedelta(hours=1)).isoformat(),
        "posts": items,
    }


def run(rooms: int, posts: int, entries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{Path(tmp) / 'rooms.db'}",
            blob_dir=Path(tmp) / "blobs",
            blocklist_key_path=Path(tmp) / "bl.pem",
        )
        c = bootstrap.build(settings)
        try:
            return _measure(c, rng, rooms, posts, entries)
        finally:
            c.close()


def _measure(
    c: bootstrap.Container, rng: random.Random, rooms: int, posts: int, entries: int
) -> dict[str, Any]:
    org = c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    who = Principal.of(org, frozenset({Role.ANALYST}), label="bench")
    c.banks.create_bank("B")
    banked = [_md5(rng) for _ in range(200)]
    for value in banked:
        c.banks.add_content("B", NewContent(signals={"md5": value}))
    c.matcher.refresh()
    bodies = [observation_of(_observation(rng, i, posts, banked)) for i in range(rooms)]
    per_obs = []
    started = time.perf_counter()
    for body in bodies:
        t = time.perf_counter()
        c.rooms.observations.observe(who, body)
        per_obs.append(time.perf_counter() - t)
    ingest_s = time.perf_counter() - started
    t = time.perf_counter()
    graph = c.rooms.analysis.map_graph(who)
    map_s = time.perf_counter() - t
    for i in range(entries):
        entry = NewEntry("bench", EntryKind.DOMAIN, f"site{i}-{secrets.token_hex(3)}.example", "r")
        c.rooms.blocklists.add(who, entry)
    renders = {}
    for fmt in Format:
        t = time.perf_counter()
        rendered = c.rooms.blocklists.render(who, "bench", fmt).body
        renders[fmt.value] = {"s": time.perf_counter() - t, "bytes": len(rendered)}
    return {
        "rooms": rooms,
        "posts_per_room": posts,
        "posts_per_s": rooms * posts / ingest_s,
        "observation_ms_median": statistics.median(per_obs) * 1000,
        "map_graph_rooms": len(graph.rooms),
        "map_graph_edges": len(graph.edges),
        "map_graph_s": map_s,
        "top_hub": graph.hubs[0].explanation if graph.hubs else "",
        "blocklist_entries": entries,
        "render": renders,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=300)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    result = run(args.rooms, args.posts, args.entries, args.seed)
    print(
        f"ingest: {result['posts_per_s']:.0f} posts/s "
        f"({result['observation_ms_median']:.1f} ms median per {args.posts}-post observation)"
    )
    print(
        f"map graph: {result['map_graph_rooms']} rooms, {result['map_graph_edges']} edges "
        f"in {result['map_graph_s']:.2f} s; top hub {result['top_hub']}"
    )
    for fmt, figures in result["render"].items():
        print(
            f"blocklist .{fmt}: {args.entries} entries, {figures['bytes']} bytes, "
            f"rendered and signed in {figures['s'] * 1000:.0f} ms"
        )
    print(f"wrote {write_result('rooms', result)}")


if __name__ == "__main__":
    main()
