"""`make bench`: every benchmark in one run, ours beside the peer's, ratios printed.

Each benchmark also writes JSON under .bench/. Pass --quick for a smaller, faster run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1M index only, shorter load run")
    args = parser.parse_args()
    sizes = ["1000000"] if args.quick else ["1000000", "10000000"]
    runs = [
        ["benchmarks/bench_pdq_index.py", "--sizes", *sizes],
        ["benchmarks/bench_pdq_hash.py"],
        ["benchmarks/bench_add_latency.py"],
        ["benchmarks/bench_replicas.py", "--trials", "20" if args.quick else "40"],
        ["benchmarks/bench_federation.py", "--trials", "10" if args.quick else "20"],
        ["benchmarks/bench_http.py", "--duration", "10" if args.quick else "20"],
        ["benchmarks/bench_load.py", "--duration", "20" if args.quick else "60"],
        ["benchmarks/bench_scan.py", "--files", "200" if args.quick else "400"],
        ["benchmarks/bench_jobs.py", "--jobs", "500" if args.quick else "2000"],
        ["benchmarks/bench_faces.py", "--repeats", "5" if args.quick else "20"],
        ["benchmarks/bench_vpdq.py", *(["--quick"] if args.quick else [])],
        ["benchmarks/bench_detectors.py", "--repeats", "1" if args.quick else "3"],
        ["benchmarks/bench_rooms.py", "--rooms", "100" if args.quick else "300"],
    ]
    failed = 0
    for run in runs:
        print(f"\n=== {' '.join(run)}", flush=True)
        code = subprocess.run(
            [sys.executable, "-m", run[0][:-3].replace("/", "."), *run[1:]], cwd=ROOT, check=False
        ).returncode
        failed += code != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
