"""Sustained load with wrk on loopback: hash lookups and report intake at once, for minutes,
while a background writer adds and withdraws bank content so the matching index keeps updating.

Reports p50/p99 latency, req/s and non-2xx for each stream, and the server's resident memory
(RSS, from /proc) after warm-up, after each round, and its growth per index update. HMA users
report 50-80 MB growth per index reload; the figure to watch here is growth between rounds,
once caches are warm. HMA itself is not runnable on this machine (no network for its images and
Docker stack), so there is no peer ratio: the numbers are haechi's alone.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks._common import Server, write_result
from benchmarks.bench_http import LUA as LOOKUP_LUA
from benchmarks.bench_http import parse_wrk, queries, seed_bank
from haechi import bootstrap
from haechi.config import Settings
from haechi.domain.tenancy import Role

INTAKE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local n = 0
request = function()
  n = n + 1
  local sha = string.rep("ab", 24) .. string.format("%%08x%%08x", math.random(0, 2147483646), n)
  local body = '{"reporter_kind": "trusted_flagger", "explanation": "load test", ' ..
    '"good_faith": true, "platform": "telegram", "room": "https://t.me/load", ' ..
    '"items": [{"kind": "hash", "signals": {"sha256": "' .. sha .. '"}}]}'
  return wrk.format(nil, "/api/v1/reports", nil, body)
end
"""


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its children (uvicorn may fork workers)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        total += int(line.split()[1]) * 1024
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


@dataclass
class Writer:
    """Adds and withdraws PDQ content in a loop; counts how often the index moved."""

    url: str
    interval_s: float
    writes: int = 0
    updates: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        rng = random.Random(11)
        last = None
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                signals = {"pdq": f"{rng.getrandbits(256):064x}"}
                r = client.post("/api/v1/banks/LOAD/content", json={"signals": signals})
                client.delete(f"/api/v1/banks/LOAD/content/{r.json()['id']}")
                self.writes += 2
                built = client.get("/m/index/status").json()["pdq"]["built_to"]
                self.updates += built != last
                last = built
                self.stop.wait(self.interval_s)


def _tenant_token(db: Path, blobs: Path) -> str:
    settings = Settings(database_url=f"sqlite:///{db}", environment="test", blob_dir=blobs)
    c = bootstrap.build(settings)
    try:
        c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
        c.auth.create_org("Flagger", "trusted_flagger", "UTC")
        return c.auth.create_token(org="Flagger", name="load", roles=frozenset({Role.ANALYST}))
    finally:
        c.close()


def _wrk(script: Path, url: str, seconds: int, connections: int) -> subprocess.Popen[str]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def _round(server: Server, scripts: dict[str, Path], args: argparse.Namespace) -> dict[str, object]:
    connections = {"lookup": args.connections, "intake": max(2, args.connections // 4)}
    running = {
        name: _wrk(script, server.url, args.duration, connections[name])
        for name, script in scripts.items()
        if name in args.streams
    }
    out: dict[str, object] = {name: parse_wrk(p.communicate()[0]) for name, p in running.items()}
    assert server.proc is not None
    return out | {"rss_mb": rss_bytes(server.proc.pid) / 2**20}


def _prepare(tmp: Path, args: argparse.Namespace) -> tuple[Path, Path, Path, Path, list[str]]:
    db, blobs = tmp / "load.db", tmp / "blobs"
    token = _tenant_token(db, blobs)
    rng = random.Random(5)
    with _server(db, blobs) as seeding:
        banked = seed_bank(seeding.url, args.bank_size, rng)
    qfile = tmp / "queries.txt"
    qfile.write_text("\n".join(queries(banked, 20_000, rng)) + "\n")
    lookup, intake = tmp / "lookup.lua", tmp / "intake.lua"
    lookup.write_text(LOOKUP_LUA % qfile)
    intake.write_text(INTAKE_LUA % token)
    return db, blobs, lookup, intake, banked


def _server(db: Path, blobs: Path) -> Server:
    server = Server(db, workers=1, refresh_s=0.25)
    server.env["HAECHI_BLOB_DIR"] = str(blobs)
    return server


def run(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp_name:
        db, blobs, lookup, intake, _banked = _prepare(Path(tmp_name), args)
        with _server(db, blobs) as server:
            assert server.proc is not None
            subprocess.run(
                ["wrk", "-t1", "-c4", "-d3s", "-s", str(lookup), server.url],
                check=True,
                capture_output=True,
            )  # warm-up
            before = rss_bytes(server.proc.pid) / 2**20
            writer = Writer(server.url, args.update_interval)
            thread = threading.Thread(target=writer.run, daemon=True)
            thread.start()
            scripts = {"lookup": lookup, "intake": intake}
            rounds = [_round(server, scripts, args) for _ in range(args.rounds)]
            writer.stop.set()
            thread.join(timeout=30)
    return {
        "rss_before_mb": before,
        "rounds": rounds,
        "index_updates": writer.updates,
        "bank_writes": writer.writes,
        "duration_s": args.duration,
        "bank_size": args.bank_size,
        "streams": args.streams,
    }


def report(result: dict[str, object]) -> None:
    rounds = result["rounds"]
    assert isinstance(rounds, list)
    for i, r in enumerate(rounds, 1):
        for name in ("lookup", "intake"):
            if name not in r:
                continue
            s = r[name]
            print(
                f"round {i} {name}: {s['requests_per_s']:.0f} req/s, p50 {s['p50_ms']:.2f} ms, "
                f"p99 {s['p99_ms']:.2f} ms, non-2xx {s['non_2xx']:.0f}"
            )
        print(f"round {i} RSS {r['rss_mb']:.1f} MB")
    updates = int(result["index_updates"])  # type: ignore[call-overload]
    before = float(result["rss_before_mb"])  # type: ignore[arg-type]
    growth = rounds[-1]["rss_mb"] - rounds[0]["rss_mb"]
    print(
        f"RSS after warm-up {before:.1f} MB -> after round 1 {rounds[0]['rss_mb']:.1f} MB -> "
        f"end {rounds[-1]['rss_mb']:.1f} MB; {updates} index updates, "
        f"{result['bank_writes']} bank writes; growth between first and last round "
        f"{growth:+.1f} MB ({growth / max(updates, 1) * 1024:+.1f} KB per index update; "
        "HMA users report 50-80 MB per reload; HMA not runnable here, no peer ratio)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--bank-size", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--update-interval", type=float, default=0.5)
    parser.add_argument(
        "--streams",
        type=lambda v: v.split(","),
        default=["lookup", "intake"],
        help="comma-separated: lookup, intake (both by default)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    result = run(args)
    write_result("load", result)
    report(result)


if __name__ == "__main__":
    main()
