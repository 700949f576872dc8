"""Background-job queue throughput and wake-up latency, beside huey's SQLite queue.

Ours: N no-op jobs enqueued one transaction each (`JobService.enqueue`), then drained by 1 and 4
threads of `run_until_idle` (claim with a lease, run, record DONE, the row kept for the UI).
Latency: with an idle worker thread waiting, the time from `enqueue` returning to the handler
starting (the in-process wake-up path). Peer: huey 3.5 `SqliteHuey` (no leases, no retry state
kept; a task row is deleted when dequeued), the same N no-op tasks enqueued, then dequeued and
executed in a tight loop (`huey.dequeue()` + `huey.execute()`, what its worker does per task).
With `--postgres URL` (an empty database) our queue is measured there too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._common import write_result
from haechi import bootstrap
from haechi.config import Settings
from haechi.jobs.worker import start_worker
from haechi.services.jobs import JobService
from haechi.services.ports_jobs import Job, JobProgress


def _noop(job: Job, progress: JobProgress) -> None:
    return None


def ours(url: str, n: int, threads: int) -> dict[str, float]:
    settings = Settings(environment="test", database_url=url, jobs_in_process=False)
    c = bootstrap.build(settings)
    try:
        jobs = JobService(uow_factory=c.uow, worker_name="bench")
        jobs.register("bench.noop", _noop)
        started = time.perf_counter()
        for i in range(n):
            jobs.enqueue("bench.noop", {"i": i})
        enqueue_s = time.perf_counter() - started
        ran: list[int] = []
        started = time.perf_counter()
        workers = [
            threading.Thread(target=lambda: ran.append(jobs.run_until_idle(timeout_s=600)))
            for _ in range(threads)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        run_s = time.perf_counter() - started
        assert sum(ran) == n, ran
        return {"enqueue_per_s": n / enqueue_s, "run_per_s": n / run_s}
    finally:
        c.close()


def wake_latency(url: str, trials: int) -> list[float]:
    settings = Settings(environment="test", database_url=url, jobs_in_process=False)
    c = bootstrap.build(settings)
    seen = threading.Event()
    at: list[float] = []

    def mark(job: Job, progress: JobProgress) -> None:
        at.append(time.perf_counter())
        seen.set()

    c.jobs.register("bench.mark", mark)
    worker = start_worker(c.jobs, concurrency=1, poll_s=5.0)
    latencies = []
    try:
        time.sleep(0.2)
        for i in range(trials):
            seen.clear()
            c.jobs.enqueue("bench.mark", {"i": i})
            enqueued = time.perf_counter()
            assert seen.wait(10)
            latencies.append(at[-1] - enqueued)
            time.sleep(0.01)
    finally:
        worker.request_stop()
        worker.join(10)
        c.close()
    return latencies


def huey_peer(path: Path, n: int) -> dict[str, float]:
    from huey import SqliteHuey

    huey = SqliteHuey("bench", filename=str(path))

    @huey.task()
    def noop(i: int) -> None:
        return None

    started = time.perf_counter()
    for i in range(n):
        noop(i)
    enqueue_s = time.perf_counter() - started
    started = time.perf_counter()
    done = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    run_s = time.perf_counter() - started
    assert done == n, done
    return {"enqueue_per_s": n / enqueue_s, "run_per_s": n / run_s}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--postgres", help="URL of an empty PostgreSQL database")
    args = parser.parse_args()
    result: dict[str, Any] = {"jobs": args.jobs}
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 4):
            url = f"sqlite:///{Path(tmp) / f'ours{threads}.db'}"
            result[f"sqlite_{threads}_threads"] = ours(url, args.jobs, threads)
        result["huey_sqlite"] = huey_peer(Path(tmp) / "huey.db", args.jobs)
        latency = wake_latency(f"sqlite:///{Path(tmp) / 'latency.db'}", args.trials)
        result["wake_latency_ms"] = {
            "p50": statistics.median(latency) * 1000,
            "p95": _pct(latency, 0.95) * 1000,
        }
    if args.postgres:
        result["postgresql_4_threads"] = ours(args.postgres, args.jobs, 4)
    _report(result)
    write_result("jobs", result)


def _report(result: dict[str, Any]) -> None:
    peer = result["huey_sqlite"]
    print(f"{result['jobs']} no-op jobs")
    for name, figures in result.items():
        if isinstance(figures, dict) and "run_per_s" in figures:
            print(
                f"  {name:22} enqueue {figures['enqueue_per_s']:8.0f}/s "
                f"(x{figures['enqueue_per_s'] / peer['enqueue_per_s']:.2f} huey)  "
                f"run {figures['run_per_s']:8.0f}/s "
                f"(x{figures['run_per_s'] / peer['run_per_s']:.2f} huey)"
            )
    lat = result["wake_latency_ms"]
    print(
        f"  enqueue → handler start, idle in-process worker: p50 {lat['p50']:.1f} ms, "
        f"p95 {lat['p95']:.1f} ms"
    )


if __name__ == "__main__":
    main()
