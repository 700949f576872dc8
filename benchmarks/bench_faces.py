"""Benchmark + evaluation of consented face matching (issue 7) on this CPU.

1. Latency of detection + embedding per image (dlib HOG + 5-point alignment + ResNet, one thread
   at a time as the service runs it), by image size, median and p95 over repeats.
2. The evaluation behind the match threshold: distances from the enrolled astronaut to her copies
   (genuine) and to every other face available offline (impostors), the genuine match rate and the
   false-match rate at several thresholds. Pass `--extra PATH` for more benign face photos (e.g.
   matplotlib's sample_data/grace_hopper.jpg) to add them to the impostors.

There is no peer to run beside it (no other offline face matcher ships its weights on PyPI).

Run: `.venv/bin/python -m benchmarks.bench_faces` (writes .bench/faces.json).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from PIL import Image
from tests.fixtures import images
from tests.fixtures.face_eval import THRESHOLDS, Evaluation, evaluate

from benchmarks._common import write_result
from haechi.adapters.faces.dlib_model import DlibFaceModel
from haechi.domain.faces import MATCH_THRESHOLD

SIZES = ((512, "astronaut 512x512"), (1024, "astronaut 1024x1024"), (1600, "1600x1600"))


def latency(model: DlibFaceModel, repeats: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    ast = images.load("astronaut")
    for side, label in SIZES:
        data = images.encode(ast.resize((side, side), Image.Resampling.LANCZOS), "JPEG", quality=90)
        times, cpu = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            found = model.faces(data)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        times.sort()
        out[label] = {
            "median_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "median_cpu_ms": statistics.median(cpu),
            "faces": len(found),
        }
        row = out[label]
        print(
            f"  {label:24s} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
            f"  (CPU time {row['median_cpu_ms']:6.1f} ms)"
        )
    return out


def summary(result: Evaluation) -> dict[str, Any]:
    genuine, impostors = sorted(result.genuine.values()), sorted(result.impostors.values())
    n = result.impostor_pairs()
    print(f"  genuine copies: {len(genuine)} (missed: {result.missed or 'none'})")
    for name, d in sorted(result.genuine.items(), key=lambda kv: kv[1]):
        print(f"    {d:.3f}  {name}")
    print(
        f"  impostor faces: {len(impostors)} (LFW not detected: {result.lfw_undetected}); "
        f"min {impostors[0]:.3f}, 5th pct {impostors[len(impostors) // 20]:.3f}, "
        f"median {statistics.median(impostors):.3f}"
    )
    stray = min(result.stray, default=0.0)
    print(f"  stray detections in her copies: {len(result.stray)}, min {stray:.3f}")
    rates = {}
    for t in THRESHOLDS:
        fm = result.false_matches(t)
        rates[f"{t:.2f}"] = {
            "genuine_matched": result.genuine_matches(t),
            "false_matches": fm,
            "impostor_pairs": n,
            "fmr_upper_95": (3 / n) if fm == 0 else None,
        }
        mark = "  <- chosen" if abs(t - MATCH_THRESHOLD) < 1e-9 else ""
        print(
            f"  threshold {t:.2f}: genuine {result.genuine_matches(t)}/{len(genuine)}, "
            f"false matches {fm}/{n}{mark}"
        )
    return {
        "genuine": result.genuine,
        "impostor_min": impostors[0],
        "impostor_median": statistics.median(impostors),
        "impostors": len(impostors),
        "stray_detections": sorted(result.stray),
        "lfw_undetected": result.lfw_undetected,
        "thresholds": rates,
        "chosen_threshold": MATCH_THRESHOLD,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    model = DlibFaceModel()
    start = time.perf_counter()
    model.warm_up()
    print(f"model load {time.perf_counter() - start:.2f} s; {model.version}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (others slow it down)")
    print("detection + embedding latency (one image at a time):")
    timings = latency(model, args.repeats)
    evaluation: dict[str, Any] = {}
    if not args.latency_only:
        print("evaluation (enrolled: skimage astronaut):")
        evaluation = summary(evaluate(model, extra=args.extra))
    path = write_result(
        "faces",
        {"machine": platform.processor() or platform.machine(), "latency": timings, **evaluation},
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
