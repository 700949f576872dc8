"""Port for federation (issue 9)."""

from __future__ import annotations

from typing import Protocol


class FederationStore(Protocol):
    """Filled in by issue 9."""
