"""Claiming is exclusive: concurrent claimers never run the same job twice (SQLite here, and on
PostgreSQL with SELECT … FOR UPDATE SKIP LOCKED in the `postgres` variant); a lost worker's job is
taken again once its lease runs out, and dead-lettered when it has no attempts left."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from haechi import bootstrap
from haechi.services.jobs import JobService
from haechi.services.ports_jobs import Job, JobProgress, JobState
from tests.jobs.helpers import FakeClock, service

JOBS = 120


def _race(container: bootstrap.Container, claimers: int) -> tuple[Counter[int], list[int]]:
    """`claimers` threads (each its own service, as separate workers would be) drain JOBS jobs."""
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    entered: set[int] = set()
    all_in = threading.Event()

    def handler(job: Job, progress: JobProgress) -> None:
        with lock:
            runs[job.id] += 1
            entered.add(threading.get_ident())
            if len(entered) >= claimers:
                all_in.set()
        # hold the first job until every claimer is inside one: proves they claim concurrently
        # (on a loaded machine one thread could otherwise drain the queue before the rest start)
        all_in.wait(10)

    with container.uow() as uow:
        for i in range(JOBS):
            uow.jobs.enqueue("race.job", {"i": i})
    services = []
    for n in range(claimers):
        jobs = JobService(uow_factory=container.uow, worker_name=f"w{n}")
        jobs.register("race.job", handler)
        services.append(jobs)
    barrier = threading.Barrier(claimers)
    ran: list[int] = []

    def drain(jobs: JobService) -> None:
        barrier.wait()
        count = jobs.run_until_idle(timeout_s=60)
        with lock:
            ran.append(count)

    threads = [threading.Thread(target=drain, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sum(ran) == JOBS
    assert all(j.state is JobState.DONE for j in services[0].list(limit=1000))
    return runs, ran


def test_two_claimers_never_run_the_same_job_twice(container: bootstrap.Container) -> None:
    runs, ran = _race(container, claimers=2)
    assert set(runs.values()) == {1} and len(runs) == JOBS
    assert min(ran) > 0, f"both claimers took work: {ran}"


@pytest.mark.postgres
def test_four_claimers_on_postgresql_skip_each_others_locked_rows(
    container: bootstrap.Container,
) -> None:
    assert container.engine.dialect.name == "postgresql"
    runs, ran = _race(container, claimers=4)
    assert set(runs.values()) == {1} and len(runs) == JOBS
    assert sum(1 for n in ran if n > 0) >= 2, f"work was shared: {ran}"


def test_a_lost_workers_job_is_claimed_again_after_its_lease(
    container: bootstrap.Container,
) -> None:
    clock = FakeClock()
    crashed = service(container, clock, lease_s=30, name="crashed")
    survivor = service(container, clock, lease_s=30, name="survivor")
    runs: list[str] = []
    survivor.register("demo.lease", lambda job, progress: runs.append("survivor"))
    job_id = crashed.enqueue("demo.lease", {})
    with container.uow() as uow:  # the crashed worker claimed it, then died without a word
        claimed = uow.jobs.claim(owner="crashed/1", now=clock.now, lease_s=30, kinds=["demo.lease"])
    assert [j.id for j in claimed] == [job_id]
    assert survivor.run_until_idle() == 0, "leased: nobody else may take it"
    clock.advance(29)
    assert survivor.run_until_idle() == 0
    clock.advance(2)
    assert survivor.run_until_idle() == 1
    job = survivor.get(job_id)
    assert job is not None and job.state is JobState.DONE and job.attempts == 2
    assert runs == ["survivor"]
    with container.uow() as uow:  # the crashed worker comes back: its outcome is refused
        assert not uow.jobs.finish(job_id, owner="crashed/1", state=JobState.DEAD, now=clock.now)


def test_a_job_that_keeps_killing_its_worker_is_dead_lettered(
    container: bootstrap.Container,
) -> None:
    clock = FakeClock()
    jobs = service(container, clock, lease_s=10)
    jobs.register("demo.oom", lambda job, progress: None)
    job_id = jobs.enqueue("demo.oom", {}, max_attempts=2)
    for attempt in (1, 2):
        with container.uow() as uow:
            claimed = uow.jobs.claim(
                owner=f"w{attempt}", now=clock.now, lease_s=10, kinds=["demo.oom"]
            )
        assert [j.attempts for j in claimed] == [attempt]
        clock.advance(11)
    assert jobs.run_until_idle() == 0
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.DEAD
    assert job.error is not None and "lease expired" in job.error


def test_heartbeats_keep_a_long_job_from_being_taken_over(
    container: bootstrap.Container,
) -> None:
    long_runner = JobService(uow_factory=container.uow, lease_s=0.3, worker_name="long")
    other = JobService(uow_factory=container.uow, lease_s=0.3, worker_name="other")
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def slow(job: Job, progress: JobProgress) -> None:
        runs.append(job.lease_owner or "")
        started.set()
        release.wait(5)

    long_runner.register("demo.slow", slow)
    other.register("demo.slow", slow)
    job_id = long_runner.enqueue("demo.slow", {})
    thread = threading.Thread(target=long_runner.run_until_idle)
    thread.start()
    assert started.wait(5)
    for _ in range(10):  # 1 s: over three leases' worth
        assert other.run_next() is None
        threading.Event().wait(0.1)
    release.set()
    thread.join(5)
    job = long_runner.get(job_id)
    assert job is not None and job.state is JobState.DONE and len(runs) == 1


def test_cancelling_a_running_job_stops_it_at_its_next_progress_report(
    container: bootstrap.Container,
) -> None:
    jobs = JobService(uow_factory=container.uow, lease_s=5)
    started, cancelled = threading.Event(), threading.Event()
    reached: list[int] = []

    def frames(job: Job, progress: JobProgress) -> None:
        for i in range(1000):
            progress(i, 1000)
            reached.append(i)
            if i == 0:
                started.set()
                cancelled.wait(5)
                threading.Event().wait(0.6)  # past the progress write interval

    jobs.register("demo.frames", frames)
    job_id = jobs.enqueue("demo.frames", {})
    thread = threading.Thread(target=jobs.run_until_idle)
    thread.start()
    assert started.wait(5)
    assert jobs.cancel(job_id).state is JobState.CANCELLED
    cancelled.set()
    thread.join(5)
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.CANCELLED and max(reached) < 5
