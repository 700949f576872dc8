"""Tables for notices (filled in by the notices work)."""

from __future__ import annotations
