"""How the CLI shows jobs: JSON lines, a table with progress bars, and a live `watch`."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from haechi.services.jobs import JobService
from haechi.services.ports_jobs import Job, JobState

out = Console()
STYLE = {
    JobState.DONE: "green",
    JobState.RUNNING: "cyan",
    JobState.FAILED: "yellow",
    JobState.DEAD: "bold red",
    JobState.CANCELLED: "dim",
}


def job_line(job: Job, *, full: bool = False) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "state": job.state.value,
        "org_id": job.org_id,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "progress": [job.progress_done, job.progress_total],
        "run_after": job.run_after,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "error": job.error,
    }
    if full:
        line |= {
            "payload": dict(job.payload),
            "dedupe_key": job.dedupe_key,
            "started_at": job.started_at,
            "updated_at": job.updated_at,
            "lease_owner": job.lease_owner,
            "lease_until": job.lease_until,
        }
    return line


def bar(job: Job, width: int = 20) -> str:
    fraction = job.fraction
    if fraction is None:
        return "·" * width
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled) + f" {fraction:4.0%}"


def jobs_table(jobs: list[Job], counts: dict[str, int]) -> None:
    table = Table(title="jobs  " + "  ".join(f"{k}: {n}" for k, n in counts.items() if n))
    for column in ("id", "kind", "org", "state", "attempts", "progress", "error"):
        table.add_column(column, overflow="fold")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind,
            "—" if job.org_id is None else str(job.org_id),
            f"[{STYLE.get(job.state, '')}]{job.state.value}[/]",
            f"{job.attempts}/{job.max_attempts}",
            bar(job),
            (job.error or "")[:120],
        )
    out.print(table)


def _progress() -> Progress:
    return Progress(
        TextColumn("#{task.fields[job_id]} {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        console=out,
    )


def _current(service: JobService, ids: list[int] | None, tracked: set[int]) -> list[Job]:
    if ids is not None:
        return [j for j in (service.get(i) for i in ids) if j is not None]
    open_now = [j for j in service.list(limit=500) if not j.state.finished or j.id in tracked]
    return sorted(open_now, key=lambda j: j.id)


def watch_jobs(
    service: JobService, ids: list[int] | None, *, interval_s: float, timeout_s: float | None
) -> list[Job]:
    """Show a bar per job until every watched job has finished; returns them as they ended."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    tasks: dict[int, TaskID] = {}
    last: dict[int, Job] = {}
    with _progress() as progress:
        while True:
            for job in _current(service, ids, set(tasks)):
                if job.id not in tasks:
                    tasks[job.id] = progress.add_task(job.kind, job_id=job.id, state="", total=None)
                total = job.progress_total or (1 if job.state is JobState.DONE else None)
                done = job.progress_done or (1 if job.state is JobState.DONE else 0)
                state = f"[{STYLE.get(job.state, '')}]{job.state.value}[/]"
                progress.update(tasks[job.id], total=total, completed=done, state=state)
                last[job.id] = job
            if all(j.state.finished for j in last.values()):
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(interval_s)
    for job in last.values():
        if job.error and job.state is not JobState.DONE:
            out.print(f"#{job.id} {job.kind} {job.state.value}: {job.error}")
    return list(last.values())
