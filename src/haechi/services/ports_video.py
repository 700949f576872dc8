"""Port for videos (issue 6)."""

from __future__ import annotations

from typing import Protocol


class VideoStore(Protocol):
    """Filled in by issue 6."""
