"""Benchmark: haechi's fast PDQ path against python-threatexchange on 2048x1536 camera JPEGs.

Hashing runs on every upload, so its speed is a product promise: the fast path must be at least 3x
faster than threatexchange's `PdqSignal.hash_from_file` while staying within 16 bits of the
reference hash (pdqhash on the fully decoded image) for at least 99 % of photos.

Run: `.venv/bin/python benchmarks/bench_pdq_hash.py` (single-threaded; writes .bench/pdq_hash.json).
"""

from __future__ import annotations

import os

# single thread for both contenders (our 64x64 matrix products would otherwise use BLAS threads)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import numpy as np  # noqa: E402
import pdqhash  # noqa: E402
import PIL  # noqa: E402
from PIL import Image  # noqa: E402
from tests.fixtures import images  # noqa: E402
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes  # noqa: E402
from threatexchange.signal_type.pdq.signal import PdqSignal as PeerPdqSignal  # noqa: E402

from haechi.adapters.hashers.pdq import PdqSignal  # noqa: E402

SIZE = (2048, 1536)
QUALITY = 90


def build_corpus() -> dict[str, Image.Image]:
    """Distinct 2048x1536 photos: every bundled photo, four mosaics, and transformed variants."""
    corpus = {name: images.camera_photo(name, size=SIZE) for name in images.PHOTOS}
    names = images.PHOTOS
    for i in range(0, 16, 4):
        quad = (names[i], names[i + 1], names[i + 2], names[i + 3])
        corpus[f"mosaic-{'-'.join(quad)}"] = images.mosaic(quad, size=SIZE)
    for name in ("astronaut", "coffee", "chelsea", "rocket"):
        photo = images.load(name)
        variants = {
            "flipped": images.flipped(photo),
            "cropped": images.cropped(photo, 0.2),
            "rotated180": images.rotated(photo, 180),
        }
        for label, variant in variants.items():
            key = f"{name}-{label}"
            corpus[key] = images.camera_photo_from(variant, size=SIZE, seed=len(corpus))
    return corpus


def timed(fn: Callable[[], object], rounds: int) -> float:
    """Median wall time of `fn` in milliseconds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(path: Path, rounds: int) -> dict[str, Any]:
    data = path.read_bytes()
    reference_hash, reference_quality = pdq_from_bytes(data)
    fast = PdqSignal.hash_bytes(data)
    exact = PdqSignal.hash_bytes(data, fast=False)
    return {
        "file": path.name,
        "bytes": len(data),
        "ours_ms": timed(lambda: PdqSignal.hash_bytes(path.read_bytes()), rounds),
        "ours_reference_mode_ms": timed(
            lambda: PdqSignal.hash_bytes(path.read_bytes(), fast=False), rounds
        ),
        "peer_hash_from_file_ms": timed(lambda: PeerPdqSignal.hash_from_file(path), rounds),
        "peer_hash_from_bytes_ms": timed(
            lambda: PeerPdqSignal.hash_from_bytes(path.read_bytes()), rounds
        ),
        "distance_to_reference": PdqSignal.distance(fast.value, reference_hash),
        "reference_mode_exact": exact.value == reference_hash,
        "quality": fast.quality,
        "reference_quality": reference_quality,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def column(key: str) -> np.ndarray:
        return np.array([row[key] for row in rows], dtype=float)

    ours, peer = column("ours_ms"), column("peer_hash_from_file_ms")
    distances = column("distance_to_reference")
    return {
        "images": len(rows),
        "ours_median_ms": float(np.median(ours)),
        "peer_hash_from_file_median_ms": float(np.median(peer)),
        "peer_hash_from_bytes_median_ms": float(np.median(column("peer_hash_from_bytes_ms"))),
        "ours_reference_mode_median_ms": float(np.median(column("ours_reference_mode_ms"))),
        "speedup_median_of_ratios": float(np.median(peer / ours)),
        "speedup_total_time": float(peer.sum() / ours.sum()),
        "speedup_min": float((peer / ours).min()),
        "distance_min": int(distances.min()),
        "distance_median": float(np.median(distances)),
        "distance_p99": float(np.percentile(distances, 99)),
        "distance_max": int(distances.max()),
        "within_16_bits_pct": float(100 * np.mean(distances <= 16)),
        "distance_histogram": {
            str(int(d)): int((distances == d).sum()) for d in np.unique(distances)
        },
        "reference_mode_exact_pct": float(100 * np.mean(column("reference_mode_exact"))),
    }


def run(rounds: int) -> list[dict[str, Any]]:
    """Write the corpus as JPEG files (the peer hashes files) and measure every one."""
    corpus = build_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (name, photo) in enumerate(sorted(corpus.items())):
            path = Path(tmp) / f"{i:02d}-{name}.jpg"
            photo.save(path, "JPEG", quality=QUALITY)
            paths.append(path)
        measure(paths[0], 1)  # warm caches (filter weights, imports) for both contenders
        return [measure(path, rounds) for path in paths]


def print_table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    print(f"{'image':60s} {'ours ms':>8s} {'peer ms':>8s} {'ratio':>6s} {'bits':>5s}")
    for row in rows:
        ours, peer = row["ours_ms"], row["peer_hash_from_file_ms"]
        bits = row["distance_to_reference"]
        print(f"{row['file']:60s} {ours:8.1f} {peer:8.1f} {peer / ours:6.1f} {bits:5d}")
    for key, value in summary.items():
        print(f"{key}: {value}")


def setup(rounds: int) -> dict[str, Any]:
    return {
        "image_size": list(SIZE),
        "jpeg_quality": QUALITY,
        "rounds": rounds,
        "threads": 1,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "pillow": PIL.__version__,
        "pdqhash": pdqhash.__version__,
        "numpy": np.__version__,
        "peer": "threatexchange.signal_type.pdq.signal.PdqSignal (threatexchange 1.2.17)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per image and method")
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "pdq_hash.json")
    args = parser.parse_args()

    rows = run(args.rounds)
    summary = summarise(rows)
    print_table(rows, summary)
    report = {
        "benchmark": "pdq_hash",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": setup(args.rounds),
        "summary": summary,
        "images": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
