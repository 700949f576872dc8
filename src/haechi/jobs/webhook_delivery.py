"""Background job: send due webhooks, retrying failures with backoff.

A shim around `WebhookService.deliver_due`, which bootstrap hands in (jobs never see adapters).
The loop wakes every `interval_s`, or at once when a use case queued a delivery (`wake`), and
survives database or network hiccups by logging them and trying again on the next round. Each
round first runs `sweep` — bootstrap passes the SLA escalation check, which queues webhooks of its
own — so escalations go out within one interval of falling due.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from haechi.services.webhooks import DeliveryRun, WebhookService

log = logging.getLogger(__name__)


def deliver_once(service: WebhookService, *, batch: int = 50) -> DeliveryRun:
    """Drain what is due now, batch by batch."""
    total = DeliveryRun()
    while True:
        run = service.deliver_due(batch)
        total = DeliveryRun(
            total.delivered + run.delivered,
            total.retrying + run.retrying,
            total.failed + run.failed,
        )
        if run.delivered + run.retrying + run.failed < batch:
            return total


def run_deliverer(
    service: WebhookService,
    *,
    interval_s: float,
    stop: threading.Event,
    wake: threading.Event,
    sweep: Callable[[], object] | None = None,
) -> None:
    while not stop.is_set():
        try:
            if sweep is not None:
                sweep()
            deliver_once(service)
        except Exception:
            log.exception("webhook delivery failed; will retry")
        wake.wait(interval_s)
        wake.clear()


def start_deliverer(
    service: WebhookService,
    *,
    interval_s: float,
    wake: threading.Event,
    sweep: Callable[[], object] | None = None,
) -> tuple[threading.Event, threading.Thread]:
    """Start the loop in a daemon thread; set the returned event (and `wake`) to stop it."""
    stop = threading.Event()
    kwargs = {"service": service, "interval_s": interval_s, "stop": stop, "wake": wake}
    thread = threading.Thread(
        target=run_deliverer,
        kwargs=kwargs | {"sweep": sweep},
        name="webhook-delivery",
        daemon=True,
    )
    thread.start()
    return stop, thread
