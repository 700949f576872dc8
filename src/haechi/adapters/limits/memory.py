"""A sliding-window rate counter in process memory: the default behind `services.ports_limits`.

Each key keeps the (time, amount) of its recent accepted events, so memory per key is bounded by
its limit (a refused request records nothing), and the number of keys is bounded by evicting the
least recently used key. Counts are per process: with several workers or replicas each enforces
its own share, which multiplies the effective limit by their number; a shared counter (e.g. in the
database or Redis) can implement the same port when that matters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

#: keys tracked before the least recently used is forgotten
DEFAULT_MAX_KEYS = 100_000


class InMemoryRateCounter:
    def __init__(self, *, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        if max_keys <= 0:
            raise ValueError("max_keys must be positive")
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[tuple[float, int]]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, amount: int, *, limit: int, window_s: float, now: float) -> bool:
        if amount < 0:
            raise ValueError("amount must not be negative")
        with self._lock:
            events = self._recent(key, window_s, now)
            if sum(a for _, a in events) + amount > limit:
                return False
            if amount:
                events.append((now, amount))
            return True

    def used(self, key: str, *, window_s: float, now: float) -> int:
        with self._lock:
            if key not in self._events:
                return 0
            return sum(a for _, a in self._recent(key, window_s, now))

    def __len__(self) -> int:
        return len(self._events)

    def _recent(self, key: str, window_s: float, now: float) -> deque[tuple[float, int]]:
        """The key's events inside the window (older ones dropped), marked as recently used."""
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while events and events[0][0] <= now - window_s:
            events.popleft()
        return events


__all__ = ["DEFAULT_MAX_KEYS", "InMemoryRateCounter"]
