"""A small in-process sliding-window limiter for the public, unauthenticated routes.

Public report intake, status checks and withdrawals accept anyone, so each client address gets a
budget per window. It is per process and per address (behind a proxy, every client shares the
proxy's address: put a real limiter in the proxy); wrong PINs are limited separately, per case
number, by the reporter service.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from starlette.requests import Request

from haechi.domain.errors import RateLimited

_MAX_KEYS = 50_000


class SlidingWindow:
    def __init__(self, *, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one request for `key`, or raise RateLimited when its budget is spent."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= _MAX_KEYS:
                    self._hits.pop(next(iter(self._hits)))
                hits = self._hits[key] = deque()
            while hits and hits[0] <= moment - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited("too many requests from this address; try again later")
            hits.append(moment)


def limiter(request: Request, name: str, *, limit: int, window_s: float) -> SlidingWindow:
    """The app's limiter called `name` (created on first use, one per app)."""
    state = request.app.state
    found: SlidingWindow | None = getattr(state, f"limit_{name}", None)
    if found is None:
        found = SlidingWindow(limit=limit, window_s=window_s)
        setattr(state, f"limit_{name}", found)
    return found


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"
