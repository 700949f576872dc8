"""The worker loop: concurrency, wake-up on enqueue, and a graceful stop that lets the running job
finish; the in-process worker's on/off switch."""

from __future__ import annotations

import threading
import time

from haechi import bootstrap
from haechi.bootstrap.jobs import in_process_worker
from haechi.jobs.worker import start_worker
from haechi.services.jobs import JobService
from haechi.services.ports_jobs import Job, JobProgress, JobState
from tests.conftest import make_settings


def test_graceful_stop_finishes_the_running_job_and_takes_no_more(
    container: bootstrap.Container,
) -> None:
    jobs = JobService(uow_factory=container.uow)
    started, release = threading.Event(), threading.Event()
    done: list[int] = []

    def slow(job: Job, progress: JobProgress) -> None:
        started.set()
        release.wait(10)
        done.append(job.id)

    jobs.register("demo.slow", slow)
    first = jobs.enqueue("demo.slow", {})
    second = jobs.enqueue("demo.slow", {})
    worker = start_worker(jobs, concurrency=1, poll_s=0.05)
    assert started.wait(5)
    worker.request_stop()
    assert not worker.join(0.2), "still finishing the running job"
    release.set()
    assert worker.join(5)
    assert done == [first]
    assert jobs.get(first).state is JobState.DONE  # type: ignore[union-attr]
    assert jobs.get(second).state is JobState.QUEUED  # type: ignore[union-attr]


def test_concurrency_runs_jobs_side_by_side_and_enqueue_wakes_the_worker(
    container: bootstrap.Container,
) -> None:
    jobs = JobService(uow_factory=container.uow)
    barrier = threading.Barrier(3, timeout=5)

    def together(job: Job, progress: JobProgress) -> None:
        barrier.wait()

    jobs.register("demo.together", together)
    worker = start_worker(jobs, concurrency=3, poll_s=30)  # only a wake-up can start them soon
    try:
        time.sleep(0.2)  # all three threads are idle, waiting
        t0 = time.monotonic()
        ids = [jobs.enqueue("demo.together", {"i": i}) for i in range(3)]
        deadline = time.monotonic() + 10
        while any(jobs.get(i).state is not JobState.DONE for i in ids):  # type: ignore[union-attr]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert time.monotonic() - t0 < 5, "woken by enqueue, not by the 30 s poll"
    finally:
        worker.request_stop()
        assert worker.join(5)


def test_in_process_worker_runs_only_when_switched_on(tmp_path: object) -> None:
    for on in (True, False):
        settings = make_settings(tmp_path / str(on), jobs_in_process=on, jobs_poll_s=0.05)  # type: ignore[operator]
        c = bootstrap.build(settings)
        try:
            c.jobs.register("demo.noop", lambda job, progress: None)
            job_id = c.jobs.enqueue("demo.noop", {})
            with in_process_worker(c.jobs, c.settings):
                deadline = time.monotonic() + (3 if on else 0.3)
                while c.jobs.get(job_id).state is JobState.QUEUED and time.monotonic() < deadline:  # type: ignore[union-attr]
                    time.sleep(0.02)
            state = c.jobs.get(job_id).state  # type: ignore[union-attr]
            assert state is (JobState.DONE if on else JobState.QUEUED)
        finally:
            c.close()
