"""Background job: keep this replica's matcher current by polling the change feed.

A two-line shim around `Matcher.refresh`; the loop survives database hiccups and logs them, and
/status reports the index as stale if refreshes keep failing.
"""

from __future__ import annotations

import logging
import threading

from haechi.services.matching import Matcher

log = logging.getLogger(__name__)


def run_refresher(matcher: Matcher, *, interval_s: float, stop: threading.Event) -> None:
    while not stop.wait(interval_s):
        try:
            matcher.refresh()
        except Exception:
            log.exception("index refresh failed; will retry")


def start_refresher(matcher: Matcher, *, interval_s: float) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_refresher,
        kwargs={"matcher": matcher, "interval_s": interval_s, "stop": stop},
        name="index-refresh",
        daemon=True,
    ).start()
    return stop
