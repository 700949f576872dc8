"""Tables for cases (filled in by the cases work)."""

from __future__ import annotations
