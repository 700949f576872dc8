"""PDQ matching at scale: haechi's PdqMihIndex beside threatexchange's PDQIndex, one thread each.

Both index the same seeded random hashes with planted near-duplicates (0-31 bits from a query;
one query in ten has none) and answer the same queries at radius 31. Each index runs in its own
subprocess so its RSS is its own. The peer is threatexchange's PDQIndex over its
PDQMultiHashIndex (faiss IndexBinaryMultiHash, nhash=16, 16 bits, nflip=31//16); its faiss index
is filled with one vectorised add_with_ids rather than its per-hash Python `add`, which would take
hours at 10M, and queries go through PDQIndex.query (its "wrapper" figure) and through faiss
range_search directly ("core"). Exactness: every planted neighbour must come back, and for the
first 50 queries the result must equal a numpy brute-force scan.

    python benchmarks/bench_pdq_index.py --sizes 1000000 10000000 --queries 2000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RADIUS, SEED, BRUTE_QUERIES, FRESH = 31, 20261123, 50, 200
LAYOUTS: dict[str, dict[str, Any]] = {
    "auto": {},
    "16x16": {"n_chunks": 16, "chunk_bits": 16},
    "11x23": {"chunk_bits": 23},
}


def dataset(size: int, queries: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random hashes, queries, and for each query the id of its planted neighbour (or -1)."""
    rng = np.random.default_rng(SEED)
    hashes = rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
    qs = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    planted = np.full(queries, -1, dtype=np.int64)
    with_neighbour = np.flatnonzero(np.arange(queries) % 10 != 0)
    rows = rng.choice(size, size=len(with_neighbour), replace=False)
    hashes[rows] = flip_bits(rng, qs[with_neighbour], rng.integers(0, RADIUS + 1, len(rows)))
    planted[with_neighbour] = rows
    return hashes, qs, planted


def flip_bits(rng: np.random.Generator, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """`rows` with counts[i] distinct random bits flipped in row i."""
    ranks = np.argsort(rng.random((len(rows), 256)), axis=1).argsort(axis=1)
    return rows ^ np.packbits(ranks < counts[:, None], axis=1)


def brute_force(hashes: np.ndarray, q: np.ndarray) -> dict[int, int]:
    dist = np.bitwise_count(hashes.view(np.uint64) ^ q.view(np.uint64)).sum(axis=1)
    near = np.flatnonzero(dist <= RADIUS)
    return dict(zip(near.tolist(), dist[near].tolist(), strict=True))


def exactness(
    hashes: np.ndarray, qs: np.ndarray, planted: np.ndarray, found: list[dict[int, int]]
) -> dict[str, Any]:
    want = [int(p) for p in planted]
    hits = sum(p in f for p, f in zip(want, found, strict=True) if p >= 0)
    expected = [brute_force(hashes, q) for q in qs[:BRUTE_QUERIES]]
    return {
        "planted_recall": hits / max(1, sum(p >= 0 for p in want)),
        "brute_recall": sum(len(e.keys() & f.keys()) for e, f in zip(expected, found, strict=False))
        / max(1, sum(len(e) for e in expected)),
        "brute_equal": all(e == f for e, f in zip(expected, found, strict=False)),
    }


def memory_mb() -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def thirds(items: list[str]) -> list[list[str]]:
    return [items[i::3] for i in range(3)]


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed_queries(run: Any, hexes: list[str]) -> tuple[float, list[Any]]:
    """Queries per second, best of three rounds (the machine is shared), and every result."""
    run(hexes[0])  # warm-up
    results: dict[int, Any] = {}
    best = 0.0
    for r, part in enumerate(thirds(hexes)):
        elapsed = timed(
            lambda r=r, part=part: results.update((r + 3 * i, run(h)) for i, h in enumerate(part))
        )
        best = max(best, len(part) / elapsed)
    return best, [results[i] for i in range(len(hexes))]


def ours(size: int, queries: int, layout: str) -> dict[str, Any]:
    from haechi.adapters.index.pdq_mih import PdqMihIndex

    baseline = memory_mb()["VmRSS"]
    hashes, qs, planted = dataset(size, queries)
    started = time.perf_counter()
    index = PdqMihIndex.build(hashes, np.arange(size, dtype=np.int64), **LAYOUTS[layout])
    out: dict[str, Any] = {
        "build_s": time.perf_counter() - started,
        "peak_mb": memory_mb()["VmHWM"],
    }
    hexes = [bytes(q).hex() for q in qs]
    out["qps"], results = timed_queries(lambda h: index.query(h, RADIUS), hexes)
    out["qps_batch"] = max(
        len(part) / timed(lambda p=part: index.query_many(p, RADIUS)) for part in thirds(hexes)
    )
    out.update(exactness(hashes, qs, planted, [dict(r) for r in results]))
    del hashes, qs, results
    gc.collect()
    out["rss_total_mb"] = memory_mb()["VmRSS"]
    out["rss_mb"] = out["rss_total_mb"] - baseline
    out["index_mb"] = index.nbytes / 2**20
    out["widths"] = list(index._tables.layout.widths) if index._tables else []
    out.update(updates(index, hexes))
    return out


def updates(index: Any, hexes: list[str]) -> dict[str, Any]:
    """Add -> matchable latency, query speed with a full delta, and the cost of merging it."""
    rng = np.random.default_rng(SEED + 1)
    fresh = [bytes(h).hex() for h in rng.integers(0, 256, size=(FRESH, 32), dtype=np.uint8)]
    adds, matched = [], []
    for i, h in enumerate(fresh):
        started = time.perf_counter()
        index.add([(h, 10**12 + i)])
        added = time.perf_counter()
        assert (10**12 + i, 0) in index.query(h, RADIUS)  # no rebuild, no wait
        adds.append(added - started)
        matched.append(time.perf_counter() - started)
    limit = max(4096, len(index) // 1024)
    bulk = rng.integers(0, 256, size=(limit - FRESH - 1, 32), dtype=np.uint8)
    index.add((bytes(h).hex(), 2 * 10**12 + i) for i, h in enumerate(bulk))
    delta_qps, _ = timed_queries(lambda h: index.query(h, RADIUS), hexes[:600])
    return {
        **{f"add_us_p{p}": float(np.percentile(adds, p) * 1e6) for p in (50, 99)},
        **{f"add_to_match_us_p{p}": float(np.percentile(matched, p) * 1e6) for p in (50, 99)},
        "delta_rows": limit - 1,
        "qps_full_delta": delta_qps,
        "merge_s": timed(index.compact),
    }


def peer(size: int, queries: int) -> dict[str, Any]:
    import faiss
    from threatexchange.signal_type.pdq.pdq_faiss_matcher import PDQMultiHashIndex
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    faiss.omp_set_num_threads(1)
    baseline = memory_mb()["VmRSS"]
    hashes, qs, planted = dataset(size, queries)
    started = time.perf_counter()
    multi = PDQMultiHashIndex()
    multi.faiss_index.add_with_ids(hashes, np.arange(size, dtype=np.int64))
    multi.index_rev_map = None  # type: ignore[assignment]  # ids are faiss positions: no map
    wrapper = PDQIndex.__new__(PDQIndex)
    wrapper.index = multi
    wrapper.local_id_to_entry = _Entries(hashes)  # type: ignore[assignment]
    out: dict[str, Any] = {
        "build_s": time.perf_counter() - started,
        "peak_mb": memory_mb()["VmHWM"],
    }
    hexes = [bytes(q).hex() for q in qs]
    out["qps"], results = timed_queries(wrapper.query, hexes)
    found = [{m.metadata: int(m.similarity_info.distance) for m in r} for r in results]
    multi.mih_index.nflip = RADIUS // multi.mih_index.nhash
    out["qps_core"], _ = timed_queries(
        lambda h: multi.faiss_index.range_search(
            np.frombuffer(bytes.fromhex(h), np.uint8)[None], RADIUS + 1
        ),
        hexes,
    )
    out.update(exactness(hashes, qs, planted, found))
    # without the hashes this harness keeps for _Entries (the real PDQIndex keeps 10M tuples)
    out["rss_total_mb"] = memory_mb()["VmRSS"] - hashes.nbytes / 2**20
    out["rss_mb"] = out["rss_total_mb"] - baseline
    return out


class _Entries:
    """PDQIndex.local_id_to_entry without 10M Python tuples: (hex, id) made on demand."""

    def __init__(self, hashes: np.ndarray) -> None:
        self._hashes = hashes

    def __len__(self) -> int:
        return len(self._hashes)

    def __getitem__(self, i: int) -> tuple[str, int]:
        return bytes(self._hashes[i]).hex(), i


def run_worker(kind: str, size: int, queries: int, layout: str) -> dict[str, Any]:
    threads = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env = {**os.environ, **threads, "PYTHONPATH": str(ROOT / "src")}
    args = ["--worker", kind, "--sizes", str(size), "--queries", str(queries), "--layouts", layout]
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return {
        "index": kind,
        "layout": layout,
        "size": size,
        **json.loads(done.stdout.splitlines()[-1]),
    }


COLUMNS: list[tuple[str, int, Callable[[dict[str, Any]], str]]] = [
    ("size", 10, lambda r: f"{r['size']}"),
    ("index", 5, lambda r: r["index"]),
    ("layout", 6, lambda r: r["layout"]),
    ("q/s", 7, lambda r: f"{r['qps']:.0f}"),
    ("batch|core", 10, lambda r: f"{r.get('qps_batch', r.get('qps_core', 0)):.0f}"),
    ("vs peer", 7, lambda r: f"{r['vs_peer']:.1f}x"),
    ("recall", 6, lambda r: f"{r['planted_recall']:.3f}"),
    ("==brute", 7, lambda r: str(r["brute_equal"])),
    ("build s", 7, lambda r: f"{r['build_s']:.1f}"),
    ("RSS MB", 7, lambda r: f"{r['rss_mb']:.0f}"),
    ("peak MB", 7, lambda r: f"{r['peak_mb']:.0f}"),
]


def report(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        peer_qps = [p["qps"] for p in rows if p["index"] == "peer" and p["size"] == r["size"]]
        r["vs_peer"] = r["qps"] / peer_qps[0]
    print(" ".join(f"{title:>{width}}" for title, width, _ in COLUMNS))
    for r in rows:
        print(" ".join(f"{cell(r):>{width}}" for _, width, cell in COLUMNS))
    for r in (r for r in rows if r["index"] == "ours" and r["layout"] == "auto"):
        print(
            f"{r['size']}: add() p50 {r['add_us_p50']:.0f} us, p99 {r['add_us_p99']:.0f} us; "
            f"add+matching query p50 {r['add_to_match_us_p50']:.0f} us, "
            f"p99 {r['add_to_match_us_p99']:.0f} us; {r['qps_full_delta']:.0f} q/s with "
            f"{r['delta_rows']} rows in the delta; merging them {r['merge_s']:.2f} s; "
            f"chunks {r['widths']}; arrays {r['index_mb']:.0f} MB, RSS {r['rss_total_mb']:.0f} MB"
        )
    print("peer: build = one faiss add_with_ids; RSS without its per-entry Python list")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--layouts", default="auto,16x16", help=f"ours: any of {','.join(LAYOUTS)}")
    parser.add_argument("--worker", choices=["ours", "peer"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        size = args.sizes[0]
        result = (
            ours(size, args.queries, args.layouts)
            if args.worker == "ours"
            else peer(size, args.queries)
        )
        print(json.dumps(result))
        return
    rows = []
    for size in args.sizes:
        rows.append(run_worker("peer", size, args.queries, "16x16"))
        for layout in args.layouts.split(","):
            rows.append(run_worker("ours", size, args.queries, layout))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    report(rows)
    out = ROOT / ".bench" / "pdq_index.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"radius": RADIUS, "queries": args.queries, "threads": 1, "rows": rows}, indent=2
        )
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
