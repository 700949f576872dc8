"""`haechi worker` and `haechi jobs list|show|retry|cancel|watch|purge`.

`haechi worker` runs background jobs apart from the server (set HAECHI_JOBS_IN_PROCESS=false
there): on PostgreSQL any number of workers on any number of machines share the queue. SIGTERM
or Ctrl-C stops it gracefully — running jobs finish first. `--once` runs what is due and exits
(cron, tests). The `jobs` commands act as the instance's operator, on the server's machine.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from haechi.cli.job_views import job_line, jobs_table, watch_jobs
from haechi.cli.main import container, err
from haechi.domain.errors import InvalidInput, NotFound
from haechi.jobs.worker import start_worker
from haechi.services.jobs import JobService
from haechi.services.ports_jobs import JobState

jobs_app = typer.Typer(help="Background jobs: list, inspect, retry dead letters, watch progress.")


def _kinds(jobs: JobService, wanted: list[str] | None) -> frozenset[str]:
    known = jobs.kinds()
    if not wanted:
        return known
    chosen = frozenset(k.strip() for w in wanted for k in w.split(",") if k.strip())
    if unknown := chosen - known:
        raise InvalidInput(f"no handler for {sorted(unknown)}; known kinds: {sorted(known)}")
    return chosen


@contextmanager
def _graceful(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` (running jobs finish) instead of killing the process."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        err.print(f"{signal.Signals(signum).name}: finishing running jobs, then stopping")
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def worker(
    kinds: Annotated[
        list[str] | None, typer.Option("--kinds", help="only these job kinds (comma-separated)")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="jobs run at once")] = 1,
    once: Annotated[bool, typer.Option("--once", help="run what is due now, then exit")] = False,
    poll: Annotated[float | None, typer.Option(help="seconds between polls when idle")] = None,
) -> None:
    """Run background jobs until stopped (SIGTERM/Ctrl-C let running jobs finish)."""
    with container() as c:
        chosen = _kinds(c.jobs, kinds)
        if once:
            ran = _run_once(c.jobs, chosen, concurrency)
            typer.echo(json.dumps({"ran": ran, "counts": _counts(c.jobs)}))
            return
        if not chosen:
            err.print("[yellow]warning:[/yellow] no job handlers registered; only housekeeping")
        runner = start_worker(
            c.jobs, concurrency=concurrency, kinds=chosen, poll_s=poll or c.settings.jobs_poll_s
        )
        err.print(f"worker: {concurrency} thread(s) for {', '.join(sorted(chosen))}")
        with _graceful(runner.stop):
            while not runner.stop.wait(0.5):
                pass
            runner.request_stop()
            runner.join()
        err.print("worker stopped")


def _run_once(jobs: JobService, kinds: frozenset[str], concurrency: int) -> int:
    if concurrency == 1:
        return jobs.run_until_idle(timeout_s=24 * 3600, kinds=kinds)
    counts: list[int] = []

    def drain() -> None:
        counts.append(jobs.run_until_idle(timeout_s=24 * 3600, kinds=kinds))

    threads = [threading.Thread(target=drain) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


def _counts(jobs: JobService) -> dict[str, int]:
    return {state.value: n for state, n in jobs.counts().items()}


def _state(value: str | None) -> JobState | None:
    if value is None:
        return None
    try:
        return JobState(value)
    except ValueError:
        raise InvalidInput(f"state must be one of {[s.value for s in JobState]}") from None


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help="queued, running, failed, dead, …")] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    org: Annotated[str | None, typer.Option(help="only this organisation's jobs")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON line per job")] = False,
) -> None:
    """Jobs, newest first, with their progress."""
    with container() as c:
        org_id = None if org is None else c.auth.org(org).id
        found = c.jobs.list(state=_state(state), kind=kind, org_id=org_id, limit=limit)
        if as_json:
            for job in found:
                typer.echo(json.dumps(job_line(job)))
        else:
            jobs_table(found, _counts(c.jobs))


def _found(jobs: JobService, job_id: int) -> None:
    if jobs.get(job_id) is None:
        raise NotFound(f"job {job_id} not found")


@jobs_app.command("show")
def jobs_show(job_id: int) -> None:
    """One job as JSON, payload and last error included."""
    with container() as c:
        job = c.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        typer.echo(json.dumps(job_line(job, full=True)))


@jobs_app.command("retry")
def jobs_retry(job_id: int) -> None:
    """Queue a dead-lettered (or cancelled) job again with fresh attempts."""
    with container() as c:
        typer.echo(json.dumps(job_line(c.jobs.retry(job_id))))


@jobs_app.command("cancel")
def jobs_cancel(job_id: int) -> None:
    """Cancel a queued, failed or running job (a running one stops at its next progress report)."""
    with container() as c:
        typer.echo(json.dumps(job_line(c.jobs.cancel(job_id))))


@jobs_app.command("watch")
def jobs_watch(
    job_ids: Annotated[
        list[int] | None, typer.Argument(help="jobs to watch (default: all open)")
    ] = None,
    interval: Annotated[float, typer.Option(min=0.05, help="seconds between refreshes")] = 0.5,
    timeout: Annotated[float | None, typer.Option(help="give up after this many seconds")] = None,
) -> None:
    """Progress bars until the jobs finish; exit 1 if any ended dead or cancelled."""
    with container() as c:
        for job_id in job_ids or []:
            _found(c.jobs, job_id)
        finished = watch_jobs(c.jobs, job_ids or None, interval_s=interval, timeout_s=timeout)
        if any(j.state is not JobState.DONE for j in finished):
            raise typer.Exit(1)


@jobs_app.command("purge")
def jobs_purge(
    days: Annotated[float | None, typer.Option(help="default: HAECHI_JOBS_RETENTION_DAYS")] = None,
) -> None:
    """Delete done and cancelled jobs that finished more than DAYS ago (dead letters stay)."""
    with container() as c:
        purged = c.jobs.purge(older_than_s=None if days is None else days * 86400.0)
        typer.echo(json.dumps({"purged": purged}))
