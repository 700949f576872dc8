"""HTTP lookup-by-hash throughput and tail latency, with wrk as the load generator.

Starts `haechi` (uvicorn, 2 workers: one per core) on an SQLite bank of N random PDQ hashes, then
drives `GET /m/lookup?signal_type=pdq&signal=…` from wrk on loopback with random query hashes
(a share of them near-duplicates of banked ones, so matches and match events happen too).
Target on this 2-core machine: >= 3,000 req/s with p99 < 20 ms. wrk shares the 2 cores with the
server, so this understates a real deployment.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx

from benchmarks._common import Server, write_result

LUA = """
local queries = {}
for line in io.lines("%s") do queries[#queries + 1] = line end
local i = 0
request = function()
  i = i + 1
  local q = queries[(i %% #queries) + 1]
  return wrk.format("GET", "/m/lookup?signal_type=pdq&bypass_coinflip=true&signal=" .. q)
end
"""


def seed_bank(url: str, size: int, rng: random.Random) -> list[str]:
    banked = [f"{rng.getrandbits(256):064x}" for _ in range(size)]
    with httpx.Client(base_url=url, timeout=600) as client:
        client.post("/api/v1/banks", json={"name": "LOAD"}).raise_for_status()
        body = "pdq\n" + "\n".join(banked) + "\n"
        client.post("/api/v1/banks/LOAD/import", content=body).raise_for_status()
    return banked


def queries(banked: list[str], count: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(count):
        if i % 10 == 0:  # 10 % near-duplicates within 0-31 bits
            value = int(rng.choice(banked), 16)
            for bit in rng.sample(range(256), rng.randint(0, 31)):
                value ^= 1 << bit
            out.append(f"{value:064x}")
        else:
            out.append(f"{rng.getrandbits(256):064x}")
    return out


def parse_wrk(text: str) -> dict[str, float]:
    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    pct = {
        int(p): ms(v, u)
        for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)", text, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return {
        "requests_per_s": rps,
        "p50_ms": pct.get(50, -1),
        "p90_ms": pct.get(90, -1),
        "p99_ms": pct.get(99, -1),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bank-size", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        with Server(db, workers=1) as seeding:
            banked = seed_bank(seeding.url, args.bank_size, rng)
        qfile = Path(tmp) / "queries.txt"
        qfile.write_text("\n".join(queries(banked, 20_000, rng)) + "\n")
        script = Path(tmp) / "lookup.lua"
        script.write_text(LUA % qfile)
        with Server(db, workers=2) as server:
            cmd = [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--latency",
                "-s",
                str(script),
                server.url,
            ]
            subprocess.run([*cmd[:3], "-d3s", *cmd[4:]], check=True, capture_output=True)  # warm-up
            text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = parse_wrk(text) | {"bank_size": args.bank_size, "connections": args.connections}
    write_result("http_lookup", result)
    print(
        f"HTTP /m/lookup by hash, bank of {args.bank_size}: {result['requests_per_s']:.0f} req/s, "
        f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
        f"non-2xx {result['non_2xx']:.0f} (target >= 3000 req/s, p99 < 20 ms)"
    )


if __name__ == "__main__":
    main()
