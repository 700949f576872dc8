"""JobService against the real store on SQLite: outcomes, retries with backoff, dead letters,
PermanentJobFailure, dedupe, progress, leases, cancel and retry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from haechi import bootstrap
from haechi.domain.errors import Conflict, InvalidInput
from haechi.services.ports_jobs import Job, JobProgress, JobState, PermanentJobFailure
from tests.jobs.helpers import FakeClock, service


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_job_runs_once_and_is_done(container: bootstrap.Container, clock: FakeClock) -> None:
    jobs = service(container, clock)
    seen: list[dict[str, object]] = []
    jobs.register("demo.echo", lambda job, progress: seen.append(dict(job.payload)))
    job_id = jobs.enqueue("demo.echo", {"n": 1})
    assert jobs.run_until_idle() == 1
    assert jobs.run_until_idle() == 0
    assert seen == [{"n": 1}]
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.DONE and job.attempts == 1
    assert job.finished_at == clock.now and job.error is None and job.lease_owner is None


def test_failures_retry_with_exponential_backoff_then_dead_letter(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock, jitter=0.5)  # waits 3/4 of the ceiling: 7.5, 15, 30 s
    calls: list[float] = []

    def flaky(job: Job, progress: JobProgress) -> None:
        calls.append(clock.now)
        raise RuntimeError(f"peer down (attempt {job.attempts})")

    jobs.register("demo.flaky", flaky)
    job_id = jobs.enqueue("demo.flaky", {}, max_attempts=4)
    waits = []
    for expected in (7.5, 15.0, 30.0):
        assert jobs.run_until_idle() == 1
        job = jobs.get(job_id)
        assert job is not None and job.state is JobState.FAILED
        assert job.run_after - clock.now == pytest.approx(expected)
        clock.advance(expected - 0.01)
        assert jobs.run_until_idle() == 0, "not due before its backoff ends"
        clock.advance(0.01)
        waits.append(expected)
    assert jobs.run_until_idle() == 1
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.DEAD and job.attempts == 4
    assert job.error == "RuntimeError: peer down (attempt 4)"
    assert len(calls) == 4
    clock.advance(10_000)
    assert jobs.run_until_idle() == 0, "a dead letter never runs again by itself"


def test_jitter_spreads_the_wait_between_half_and_all_of_the_ceiling(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    waits = []
    for jitter in (0.0, 0.999):
        jobs = service(container, clock, jitter=jitter, name=f"j{jitter}")
        jobs.register("demo.fail", _divide_by_zero)
        job_id = jobs.enqueue("demo.fail", {"jitter": jitter})
        assert jobs.run_until_idle() == 1
        job = jobs.get(job_id)
        assert job is not None
        waits.append(job.run_after - clock.now)
    assert waits[0] == pytest.approx(5.0) and waits[1] == pytest.approx(9.995)


def _divide_by_zero(job: Job, progress: JobProgress) -> None:
    raise ZeroDivisionError("division by zero")


def test_permanent_failure_dead_letters_at_once(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)

    def refuse(job: Job, progress: JobProgress) -> None:
        raise PermanentJobFailure("not a video file")

    jobs.register("demo.bad", refuse)
    job_id = jobs.enqueue("demo.bad", {}, max_attempts=5)
    assert jobs.run_until_idle() == 1
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.DEAD and job.attempts == 1
    assert job.error == "PermanentJobFailure: not a video file"


def test_dead_letter_is_retried_by_an_operator_with_fresh_attempts(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    broken = [True]

    def sometimes(job: Job, progress: JobProgress) -> None:
        if broken[0]:
            raise PermanentJobFailure("model file missing")

    jobs.register("demo.sometimes", sometimes)
    job_id = jobs.enqueue("demo.sometimes", {})
    jobs.run_until_idle()
    with pytest.raises(Conflict):
        jobs.cancel(job_id)  # already finished (dead)
    broken[0] = False
    again = jobs.retry(job_id)
    assert again.state is JobState.QUEUED and again.attempts == 0
    with pytest.raises(Conflict):
        jobs.retry(job_id)  # queued: nothing to retry
    assert jobs.run_until_idle() == 1
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.DONE and job.attempts == 1


def test_dedupe_returns_the_pending_job_until_it_finishes(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    jobs.register("demo.hash", lambda job, progress: None)
    first = jobs.enqueue("demo.hash", {"sha": "a"}, dedupe_key="a")
    assert jobs.enqueue("demo.hash", {"sha": "a"}, dedupe_key="a") == first
    other_kind = jobs.enqueue("demo.other", {}, dedupe_key="a")
    assert other_kind != first, "keys are per kind"
    different = jobs.enqueue("demo.hash", {"sha": "b"}, dedupe_key="b")
    assert different != first
    assert jobs.run_until_idle(kinds=["demo.hash"]) == 2
    later = jobs.enqueue("demo.hash", {"sha": "a"}, dedupe_key="a")
    assert later not in (first, different), "a finished job no longer dedupes"


def test_dedupe_inside_a_callers_transaction_keeps_the_transaction(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    with container.uow() as uow:
        a = uow.jobs.enqueue("demo.atomic", {}, dedupe_key="k")
        b = uow.jobs.enqueue("demo.atomic", {}, dedupe_key="k")
        c = uow.jobs.enqueue("demo.atomic", {"x": 1})
    assert a == b != c
    assert {j.id for j in jobs.list(kind="demo.atomic")} == {a, c}


def test_a_rolled_back_transaction_leaves_no_job(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    with pytest.raises(RuntimeError), container.uow() as uow:
        uow.jobs.enqueue("demo.atomic", {})
        raise RuntimeError("the feature's own write failed")
    assert jobs.list(kind="demo.atomic") == []


def test_progress_is_stored_and_visible_while_running(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    snapshots: list[tuple[int, int]] = []

    def frames(job: Job, progress: JobProgress) -> None:
        for done in range(0, 11):
            progress(done, 10)
            if done == 5:
                seen = jobs.get(job.id)
                assert seen is not None and seen.state is JobState.RUNNING
                snapshots.append((seen.progress_done, seen.progress_total))

    jobs.register("demo.frames", frames)
    jobs._config = replace(jobs._config, progress_every_s=0.0)  # every report written
    job_id = jobs.enqueue("demo.frames", {})
    jobs.run_until_idle()
    assert snapshots == [(5, 10)]
    job = jobs.get(job_id)
    assert job is not None and (job.progress_done, job.progress_total) == (10, 10)
    assert job.fraction == 1.0


def test_bad_input_is_refused_with_a_clear_message(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    for kind, attempts, delay in (("Bad Kind", 5, 0.0), ("ok", 0, 0.0), ("ok", 5, -1.0)):
        with pytest.raises(InvalidInput):
            jobs.enqueue(kind, {}, max_attempts=attempts, delay_s=delay)
    with pytest.raises(InvalidInput, match="dedupe key"):
        jobs.enqueue("ok", {}, dedupe_key="k" * 201)
    with pytest.raises(InvalidInput, match="job kind"), container.uow() as uow:
        uow.jobs.enqueue("Not A Kind", {})
    with pytest.raises(InvalidInput, match="plain JSON"):
        jobs.enqueue("ok", {"when": object()})
    with pytest.raises(InvalidInput, match="at most"):
        jobs.enqueue("ok", {"blob": "x" * 70_000})
    assert jobs.list() == [], "nothing was queued by the refused calls"
    with pytest.raises(ValueError):
        jobs.register("Has Space", lambda job, progress: None)
    jobs.register("demo.one", lambda job, progress: None)
    with pytest.raises(ValueError):
        jobs.register("demo.one", lambda job, progress: None)


def test_an_interrupted_job_is_handed_back_at_once(
    container: bootstrap.Container, clock: FakeClock
) -> None:
    jobs = service(container, clock)
    interrupt = [True]

    def stoppable(job: Job, progress: JobProgress) -> None:
        if interrupt[0]:
            raise KeyboardInterrupt

    jobs.register("demo.stoppable", stoppable)
    job_id = jobs.enqueue("demo.stoppable", {}, max_attempts=2)
    with pytest.raises(KeyboardInterrupt):
        jobs.run_until_idle()
    job = jobs.get(job_id)
    assert job is not None and job.state is JobState.FAILED and job.run_after == clock.now
    interrupt[0] = False
    assert jobs.run_until_idle() == 1
    assert jobs.get(job_id).state is JobState.DONE  # type: ignore[union-attr]
