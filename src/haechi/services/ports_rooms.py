"""Port for rooms (issue 8)."""

from __future__ import annotations

from typing import Protocol


class RoomStore(Protocol):
    """Filled in by issue 8."""
