"""Background loop: keep the publication log current, and queue an `exchange.poll` job for every
exchange source that is due.

A shim around `PublisherService.sync` and `FederationServices.enqueue_due`; the jobs themselves run
on the job workers (in-process or `haechi worker`), deduplicated per source. Survives database
hiccups.
"""

from __future__ import annotations

import logging
import threading

from haechi.services.federation_bundle import FederationServices

log = logging.getLogger(__name__)


def run_scheduler(
    federation: FederationServices, *, interval_s: float, stop: threading.Event
) -> None:
    while not stop.wait(interval_s):
        try:
            federation.publisher.sync()  # keep the publication log current for feed readers
            federation.enqueue_due()
        except Exception:
            log.exception("exchange poll scheduling failed; will retry")


def start_scheduler(federation: FederationServices, *, interval_s: float) -> threading.Event:
    """Start the loop (unless the interval is 0); set the returned event to stop it."""
    stop = threading.Event()
    if interval_s > 0:
        threading.Thread(
            target=run_scheduler,
            kwargs={"federation": federation, "interval_s": interval_s, "stop": stop},
            name="exchange-schedule",
            daemon=True,
        ).start()
    return stop
