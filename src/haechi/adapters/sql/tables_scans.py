"""Tables for bulk scan runs and per-file progress (issue 6)."""

from __future__ import annotations

from haechi.adapters.sql.tables import Base, BigId  # noqa: F401
