"""Port for scans (issue 6)."""

from __future__ import annotations

from typing import Protocol


class ScanStore(Protocol):
    """Filled in by issue 6."""
