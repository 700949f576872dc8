"""Port for idempotency (issue 10)."""

from __future__ import annotations

from typing import Protocol


class IdempotencyStore(Protocol):
    """Filled in by issue 10."""
