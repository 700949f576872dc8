"""The port for counting requests per source over time, which public endpoints' limits rest on.

Kept apart from `ports` so the abuse controls can be read (and replaced, e.g. by a counter shared
between replicas) without the storage ports around them.
"""

from __future__ import annotations

from typing import Protocol


class RateCounter(Protocol):
    """Amounts recorded per key over sliding windows. Keys carry no personal data (callers hash)."""

    def take(self, key: str, amount: int, *, limit: int, window_s: float, now: float) -> bool:
        """Record `amount` for `key` if the total over the last `window_s` seconds stays within
        `limit`; otherwise record nothing and return False."""

    def used(self, key: str, *, window_s: float, now: float) -> int:
        """The total recorded for `key` over the last `window_s` seconds."""


__all__ = ["RateCounter"]
