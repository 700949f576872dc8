"""A fake clock and a JobService on the test container's database for the job tests."""

from __future__ import annotations

from dataclasses import dataclass

from haechi import bootstrap
from haechi.domain.jobs import RetryPolicy
from haechi.services.jobs import JobService


@dataclass
class FakeClock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def service(
    container: bootstrap.Container,
    clock: FakeClock,
    *,
    lease_s: float = 60.0,
    jitter: float = 0.5,
    name: str = "test",
) -> JobService:
    return JobService(
        uow_factory=container.uow,
        clock=clock,
        lease_s=lease_s,
        retry=RetryPolicy(base_s=10.0, cap_s=100.0),
        jitter=lambda: jitter,
        worker_name=name,
    )
