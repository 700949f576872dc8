"""Two API replicas (separate `uvicorn` processes) on one PostgreSQL database, as behind a load
balancer: how long after a write on replica A does replica B serve it?

A hash is added through A, then B is polled until its lookup matches; then it is deleted through B
and A is polled until the match stops. B and A learn of the other's writes only through the change
feed, polled every HAECHI_INDEX_REFRESH_S (0.25 s by default). The database is
HAECHI_BENCH_POSTGRES_URL when set, else a throwaway server from the installed PostgreSQL binaries
(tests/pg_cluster.py); without either the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import httpx
from tests.pg_cluster import ThrowawayCluster, find_bindir

from benchmarks._common import ROOT, free_port, write_result


@contextmanager
def replica(database_url: str, refresh_s: float) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ)
    env.update(
        HAECHI_DATABASE_URL=database_url,
        HAECHI_INDEX_REFRESH_S=str(refresh_s),
        HAECHI_ENVIRONMENT="test",
        HAECHI_JOBS_IN_PROCESS="false",
    )
    cmd = [sys.executable, "-m", "uvicorn", "haechi.bootstrap:create_app", "--factory"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _ok(f"{url}/status"), limit_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition: Callable[[], bool], *, limit_s: float) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit_s:
            raise RuntimeError(f"not within {limit_s} s")
        time.sleep(0.002)
    return time.perf_counter() - started


def _matches(client: httpx.Client, value: str) -> list[int]:
    r = client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": value})
    r.raise_for_status()
    found: list[int] = r.json()["matches"]
    return found


def measure(a_url: str, b_url: str, trials: int) -> tuple[list[float], list[float]]:
    rng = random.Random(7)
    added, removed = [], []
    with httpx.Client(base_url=a_url, timeout=10) as a, httpx.Client(base_url=b_url) as b:
        a.post("/c/banks", json={"name": "REPLICAS"}).raise_for_status()
        for _ in range(trials):
            value = f"{rng.getrandbits(256):064x}"
            started = time.perf_counter()
            response = a.post("/c/bank/REPLICAS/signal", json={"pdq": value})
            response.raise_for_status()
            cid = response.json()["id"]
            _until(lambda v=value, c=cid: _matches(b, v) == [c], limit_s=30)
            added.append(time.perf_counter() - started)
            started = time.perf_counter()
            b.delete(f"/c/bank/REPLICAS/content/{cid}").raise_for_status()
            _until(lambda v=value: _matches(a, v) == [], limit_s=30)
            removed.append(time.perf_counter() - started)
    return added, removed


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_s": statistics.median(values),
        "p95_s": ordered[int(0.95 * (len(ordered) - 1))],
        "max_s": ordered[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--refresh-s", type=float, default=0.25)
    args = parser.parse_args()
    with ExitStack() as stack:
        url = os.environ.get("HAECHI_BENCH_POSTGRES_URL")
        if url is None:
            bindir = find_bindir()
            if bindir is None:
                print("no PostgreSQL (HAECHI_BENCH_POSTGRES_URL or Debian's postgresql): skipped")
                return
            cluster = ThrowawayCluster(bindir).start()
            stack.callback(cluster.stop)
            url = cluster.url
        a_url = stack.enter_context(replica(url, args.refresh_s))
        b_url = stack.enter_context(replica(url, args.refresh_s))
        added, removed = measure(a_url, b_url, args.trials)
    result = {
        "trials": args.trials,
        "refresh_s": args.refresh_s,
        "add_on_a_to_match_on_b": _summary(added),
        "delete_on_b_to_gone_on_a": _summary(removed),
    }
    write_result("replicas_postgres", result)
    for label, key in [("add on A -> match on B", "add_on_a_to_match_on_b"),
                       ("delete on B -> gone on A", "delete_on_b_to_gone_on_a")]:  # fmt: skip
        s = result[key]
        assert isinstance(s, dict)
        print(
            f"{label} (2 replicas, one PostgreSQL, refresh {args.refresh_s} s): "
            f"median {s['median_s'] * 1000:.0f} ms, p95 {s['p95_s'] * 1000:.0f} ms, "
            f"max {s['max_s'] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
