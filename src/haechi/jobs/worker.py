"""The job worker: threads that claim and run due jobs until told to stop.

Each of `concurrency` threads loops on `JobService.run_next`; when nothing is due it waits for a
wake-up (a job enqueued in this process) or `poll_s`, whichever comes first — jobs enqueued by
another process (the API server, when the worker runs apart) are seen within `poll_s`. Stopping
is graceful: `stop` is checked between jobs, so a job that has started is finished (or fails and
is retried) before its thread exits. Once in a while a thread runs housekeeping (purging old
finished jobs). A loop survives database hiccups by logging them and trying again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field

from haechi.services.jobs import JobService

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_S = 3600.0


@dataclass
class Worker:
    service: JobService
    concurrency: int = 1
    kinds: Collection[str] | None = None
    poll_s: float = 1.0
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    _housekept: float = field(default=0.0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def start(self) -> Worker:
        """Start the threads (daemons: a hard exit never waits for them)."""
        for n in range(max(1, self.concurrency)):
            thread = threading.Thread(target=self.loop, name=f"job-worker-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def request_stop(self) -> None:
        self.stop.set()
        self.service.wake()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the threads to finish their current job; True when all have exited."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        for thread in self.threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        return not any(t.is_alive() for t in self.threads)

    def loop(self) -> None:
        while not self.stop.is_set():
            ran = None
            try:
                self._housekeeping()
                ran = self.service.run_next(kinds=self.kinds)
            except Exception:
                log.exception("job worker round failed; will retry")
            if ran is None and not self.stop.is_set():
                self.service.wait_for_work(self.poll_s)

    def _housekeeping(self) -> None:
        with self._lock:
            if time.monotonic() - self._housekept < HOUSEKEEPING_EVERY_S and self._housekept:
                return
            self._housekept = time.monotonic()
        purged = self.service.purge()
        if purged:
            log.info("purged %d finished jobs past their retention", purged)


def start_worker(
    service: JobService,
    *,
    concurrency: int = 1,
    kinds: Collection[str] | None = None,
    poll_s: float = 1.0,
) -> Worker:
    return Worker(service, concurrency=concurrency, kinds=kinds, poll_s=poll_s).start()
