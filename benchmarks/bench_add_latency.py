"""Time from adding a hash to it being matchable: in the replica that took the write, and in
another replica that only learns of it through the change feed (two uvicorn workers, one SQLite).

HMA's reference figure is not measured here: HMA rebuilds its index in a background job and each
replica reloads it on a timer (defaults: index build every 60 s, cache refresh every 30 s), which
is where the ~90 s in its documentation comes from.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks._common import Server, write_result


def measure(url: str, trials: int) -> list[float]:
    rng = random.Random(11)
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        client.post("/c/banks", json={"name": "LATENCY"})
        for _ in range(trials):
            value = f"{rng.getrandbits(256):064x}"
            started = time.perf_counter()
            client.post("/c/bank/LATENCY/signal", json={"pdq": value}).raise_for_status()
            # new connections land on either worker: poll until the lookup matches
            while True:
                with httpx.Client(base_url=url, timeout=10) as fresh:
                    r = fresh.get("/m/lookup", params={"signal_type": "pdq", "signal": value})
                if r.json().get("LATENCY"):
                    break
                if time.perf_counter() - started > 30:
                    raise RuntimeError("hash never became matchable")
            latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "lat.db", workers=2) as server:
        latencies = measure(server.url, args.trials)
    ordered = sorted(latencies)
    result = {
        "trials": len(latencies),
        "median_s": statistics.median(latencies),
        "p95_s": ordered[int(0.95 * (len(ordered) - 1))],
        "max_s": ordered[-1],
        "target_s": 1.0,
        "hma_reference_s": "~90 (documented; not measured here)",
    }
    write_result("add_latency", result)
    print(
        f"add->matchable across 2 workers: median {result['median_s'] * 1000:.0f} ms, "
        f"p95 {result['p95_s'] * 1000:.0f} ms, max {result['max_s'] * 1000:.0f} ms "
        f"(target <= 1 s; HMA ~90 s by design)"
    )


if __name__ == "__main__":
    main()
