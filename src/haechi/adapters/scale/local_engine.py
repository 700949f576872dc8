"""The in-process scan engine: the batch function on a thread pool, results to the driver.

Decoding images releases the GIL, so threads use the machine's cores without shipping anything to
other processes. At most two batches per thread are in flight, so memory stays bounded however
large the store. The engine parallelises across files, so while it runs BLAS (PDQ's small matrix
products) gets one thread: left at its default of one thread per core, N hashing threads each
fanning out to every core made a scan 5-6x slower on a busy 2-core machine (as Ray does for its
workers, which get OMP_NUM_THREADS=1).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from threadpoolctl import threadpool_limits

from haechi.domain.scans import FileOutcome, FileRef
from haechi.services.ports_scan import BatchProcessor


class LocalEngine:
    def __init__(self, *, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._workers = workers

    @property
    def name(self) -> str:
        return "local"

    def run(
        self,
        files: Sequence[FileRef],
        process: BatchProcessor,
        *,
        batch_size: int,
        on_batch: Callable[[list[FileOutcome]], None],
    ) -> None:
        with threadpool_limits(limits=1, user_api="blas"):
            self._run(files, process, batch_size=batch_size, on_batch=on_batch)

    def _run(
        self,
        files: Sequence[FileRef],
        process: BatchProcessor,
        *,
        batch_size: int,
        on_batch: Callable[[list[FileOutcome]], None],
    ) -> None:
        batches = (list(files[i : i + batch_size]) for i in range(0, len(files), batch_size))
        if self._workers == 1:
            for batch in batches:
                on_batch(process(batch))
            return
        with ThreadPoolExecutor(self._workers, thread_name_prefix="scan") as pool:
            running: set[Future[list[FileOutcome]]] = {
                pool.submit(process, b) for b in itertools.islice(batches, 2 * self._workers)
            }
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    on_batch(future.result())
                    following = next(batches, None)
                    if following is not None:
                        running.add(pool.submit(process, following))
