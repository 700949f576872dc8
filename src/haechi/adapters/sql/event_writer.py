"""Buffered match-event writer: lookups enqueue, one background thread writes in batches.

Keeps the database off the lookup hot path. `flush()` writes synchronously (tests, shutdown).
A bounded queue sheds the oldest load by blocking briefly rather than growing without limit.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence

from haechi.services.ports import MatchEvent, UnitOfWorkFactory

log = logging.getLogger(__name__)


class BufferedEventWriter:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, *, interval_s: float = 0.2, max_queue: int = 100_000
    ) -> None:
        self._uow = uow_factory
        self._queue: queue.Queue[MatchEvent] = queue.Queue(maxsize=max_queue)
        self._interval = interval_s
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, events: Sequence[MatchEvent]) -> None:
        for event in events:
            self._queue.put(event, timeout=5)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="match-events", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def flush(self) -> None:
        with self._write_lock:
            batch: list[MatchEvent] = []
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if batch:
                with self._uow() as uow:
                    uow.banks.add_match_events(batch)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # keep the writer alive; the events stay logged
                log.exception("writing match events failed")
