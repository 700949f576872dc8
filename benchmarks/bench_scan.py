"""Benchmark: bulk scan throughput, local engine against Ray, and what a resume rescans.

One generated store (benign scikit-image variants plus planted copies of banked photos) is scanned
by the in-process engine (2 threads) and by the Ray engine on a private local cluster (2 CPUs):
files/s end to end (list, hash, match, commit), with the Ray figure both cold (cluster start
included) and warm. On a 2-core machine expect about parity: Ray is there to scale out. Then a
Ray scan run by the CLI is SIGKILLed midway and resumed: the number of finished files hashed again
must be 0.

Run: `.venv/bin/python -m benchmarks.bench_scan [--files N]` (writes .bench/scan.json).
"""

from __future__ import annotations

import os

# one BLAS thread per hashing thread or Ray worker (Ray sets the same for its workers)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from tests.fixtures import scan_media  # noqa: E402

from benchmarks._common import write_result  # noqa: E402
from haechi import bootstrap  # noqa: E402
from haechi.adapters.scale.fsspec_source import FsspecSource  # noqa: E402
from haechi.adapters.scale.local_engine import LocalEngine  # noqa: E402
from haechi.adapters.scale.ray_engine import RayEngine, RayOptions  # noqa: E402
from haechi.config import Settings  # noqa: E402
from haechi.services.ports_scan import ScanEngine  # noqa: E402
from haechi.services.scan import ScanRequest  # noqa: E402

_RAY = RayOptions(num_cpus=2, object_store_bytes=128 * 1024 * 1024)


def _settings(work: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{work / 'haechi.db'}",
        blob_dir=work / "blobs",
    )


def _scan(c: bootstrap.Container, root: Path, engine: ScanEngine) -> dict[str, Any]:
    request = ScanRequest(source=FsspecSource(str(root)), engine=engine, fresh=True, batch_size=32)
    started = time.perf_counter()
    run = c.scans.run(request)
    seconds = time.perf_counter() - started
    return {
        "files": run.files_done,
        "matched": run.files_matched,
        "seconds": round(seconds, 3),
        "files_per_s": round(run.files_done / seconds, 1),
    }


def throughput(c: bootstrap.Container, root: Path) -> dict[str, Any]:
    import ray

    _scan(c, root, LocalEngine(workers=2))  # warms the page cache and the hashers' caches
    out: dict[str, Any] = {"local": _scan(c, root, LocalEngine(workers=2))}
    out["ray_cold"] = _scan(c, root, RayEngine(_RAY))  # starts and stops its own cluster
    ray.init(
        num_cpus=2,
        object_store_memory=_RAY.object_store_bytes,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        _scan(c, root, RayEngine())  # starts the workers
        out["ray_warm"] = _scan(c, root, RayEngine())
    finally:
        ray.shutdown()
    return out


def resume(root: Path, settings: Settings, total: int) -> dict[str, Any]:
    """SIGKILL a CLI Ray scan at about a third, resume it, read the run's counters."""
    env = {
        **os.environ,
        "HAECHI_DATABASE_URL": settings.database_url,
        "HAECHI_BLOB_DIR": str(settings.blob_dir),
        "HAECHI_ENVIRONMENT": "test",
        "HAECHI_RAY_NUM_CPUS": "2",
    }
    command = [sys.executable, "-m", "haechi", "scan", "--engine", "ray", "--batch", "8", "--new"]
    c = bootstrap.build(settings)
    previous = max((r.id for r in c.scans.list_runs(limit=1)), default=0)
    first = subprocess.Popen(
        [*command, str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while first.poll() is None:
            runs = c.scans.list_runs(limit=1)
            if runs and runs[0].id > previous and runs[0].files_done >= total // 3:
                break
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        killed = c.scans.list_runs(limit=1)[0]
        command.remove("--new")
        done = subprocess.run(
            [*command, str(root)], env=env, capture_output=True, text=True, check=True
        )
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        run = c.scans.get(killed.id)
    finally:
        c.close()
    return {
        "killed_at_files": killed.files_done,
        "resumed_run": summary["run"] == killed.id,
        "scanned_after_resume": summary["scanned"],
        "rescanned": run.rescanned,
        "files_done": run.files_done,
        "files_total": run.files_total,
        "matched": run.files_matched,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=400, help="background files to generate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = scan_media.build_store(work / "media", background=args.files)
        settings = _settings(work)
        c = bootstrap.build(settings)
        try:
            scan_media.bank_originals(c)
            c.matcher.load()
            speeds = throughput(c, store.root)
        finally:
            c.close()
        resumed = resume(store.root, settings, len(store.files))
    ratio = speeds["ray_warm"]["files_per_s"] / speeds["local"]["files_per_s"]
    payload = {
        "files": len(store.files),
        "planted": len(store.planted),
        "cpus": os.cpu_count(),
        **speeds,
        "ray_warm_over_local": round(ratio, 2),
        "resume": resumed,
    }
    path = write_result("scan", payload)
    print(json.dumps(payload, indent=2))
    print(
        f"files/s local {speeds['local']['files_per_s']}, ray warm "
        f"{speeds['ray_warm']['files_per_s']} (ratio {ratio:.2f}), ray cold "
        f"{speeds['ray_cold']['files_per_s']}; resume rescanned {resumed['rescanned']} "
        f"finished files -> {path}"
    )


if __name__ == "__main__":
    main()
