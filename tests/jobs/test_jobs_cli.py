"""`haechi worker --once` and `haechi jobs list|show|retry|cancel|watch|purge`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.bootstrap.jobs import build_jobs
from haechi.cli.main import app
from haechi.config import Settings
from haechi.services.jobs import JobService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure

runner = CliRunner()
RAN: list[int] = []


def _count(job: Job, progress: JobProgress) -> None:
    for i in range(1, 4):
        progress(i, 3)
    RAN.append(job.id)


def _refuse(job: Job, progress: JobProgress) -> None:
    raise PermanentJobFailure("payload has no blob")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HAECHI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))

    def with_handlers(settings: Settings, uow: UnitOfWorkFactory) -> JobService:
        jobs = build_jobs(settings, uow)  # features register their kinds here the same way
        jobs.register("test.count", _count)
        jobs.register("test.refuse", _refuse)
        return jobs

    monkeypatch.setattr("haechi.bootstrap.build_jobs", with_handlers)
    RAN.clear()
    yield


def _enqueue(*jobs: tuple[str, dict[str, object]]) -> list[int]:
    c = bootstrap.build(Settings())
    try:
        return [c.jobs.enqueue(kind, payload) for kind, payload in jobs]
    finally:
        c.close()


def test_worker_once_runs_what_is_due_and_reports_counts() -> None:
    ok, bad, other = _enqueue(("test.count", {}), ("test.refuse", {}), ("test.count", {"n": 2}))
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ran"] == 3 and report["counts"]["done"] == 2 and report["counts"]["dead"] == 1
    assert sorted(RAN) == [ok, other]
    assert json.loads(runner.invoke(app, ["worker", "--once"]).stdout)["ran"] == 0

    shown = json.loads(runner.invoke(app, ["jobs", "show", str(ok)]).stdout)
    assert shown["state"] == "done" and shown["progress"] == [3, 3] and shown["payload"] == {}
    dead = json.loads(runner.invoke(app, ["jobs", "list", "--state", "dead", "--json"]).stdout)
    assert dead["id"] == bad and dead["error"] == "PermanentJobFailure: payload has no blob"
    table = runner.invoke(app, ["jobs", "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "test.refuse" in table.stdout and "100%" in table.stdout
    retried = json.loads(runner.invoke(app, ["jobs", "retry", str(bad)]).stdout)
    assert retried["state"] == "queued" and retried["attempts"] == 0
    assert runner.invoke(app, ["jobs", "retry", str(bad)]).exit_code == 1  # conflict: not dead
    assert (
        json.loads(runner.invoke(app, ["jobs", "cancel", str(bad)]).stdout)["state"] == "cancelled"
    )


def test_worker_only_takes_the_kinds_asked_for_and_refuses_unknown_ones() -> None:
    (refuse,) = _enqueue(("test.refuse", {}))
    result = runner.invoke(app, ["worker", "--once", "--kinds", "test.count", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ran"] == 0
    unknown = runner.invoke(app, ["worker", "--once", "--kinds", "video.nothing"])
    assert unknown.exit_code == 2 and "no handler for ['video.nothing']" in unknown.output
    assert runner.invoke(app, ["jobs", "show", "999"]).exit_code == 3
    assert runner.invoke(app, ["jobs", "list", "--state", "asleep"]).exit_code == 2
    assert json.loads(runner.invoke(app, ["jobs", "show", str(refuse)]).stdout)["state"] == "queued"


def test_watch_draws_progress_until_the_jobs_finish() -> None:
    ok, bad = _enqueue(("test.count", {}), ("test.refuse", {}))
    runner.invoke(app, ["worker", "--once"])
    watched = runner.invoke(app, ["jobs", "watch", str(ok)], env={"COLUMNS": "160"})
    assert watched.exit_code == 0, watched.output
    assert "3/3" in watched.stdout and "done" in watched.stdout
    failed = runner.invoke(app, ["jobs", "watch", str(ok), str(bad)], env={"COLUMNS": "160"})
    assert failed.exit_code == 1 and "payload has no blob" in failed.stdout
    assert runner.invoke(app, ["jobs", "watch", "12345"]).exit_code == 3
    purged = runner.invoke(app, ["jobs", "purge", "--days", "0"])
    assert json.loads(purged.stdout) == {"purged": 1}, "the done job; the dead letter stays"


WORKER = """
import sys, threading
from haechi import bootstrap
from haechi.cli.main import app

real = bootstrap.build_jobs
def slow(job, progress):
    progress(1, 2)
    threading.Event().wait(1.0)
    progress(2, 2)
def build_jobs(settings, uow):
    jobs = real(settings, uow)
    jobs.register("test.slow", slow)
    return jobs
bootstrap.build_jobs = build_jobs
sys.argv = ["haechi", "worker", "--poll", "0.05"]
app()
"""


def test_sigterm_lets_the_running_job_finish_then_the_worker_exits(tmp_path: Path) -> None:
    (job_id,) = _enqueue(("test.slow", {}))
    env = os.environ | {"HAECHI_JOBS_LEASE_S": "5"}
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        c = bootstrap.build(Settings())
        try:
            deadline = time.monotonic() + 20
            while (job := c.jobs.get(job_id)) is not None and job.progress_done < 1:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=20)
            assert proc.returncode == 0, stderr
            assert b"SIGTERM: finishing running jobs" in stderr
            job = c.jobs.get(job_id)
            assert job is not None and job.state.value == "done" and job.progress_done == 2
        finally:
            c.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
