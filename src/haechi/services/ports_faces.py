"""Port for faces (issue 7)."""

from __future__ import annotations

from typing import Protocol


class FaceStore(Protocol):
    """Filled in by issue 7."""
