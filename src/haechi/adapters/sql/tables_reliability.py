"""Tables for idempotency keys (issue 10)."""

from __future__ import annotations

from haechi.adapters.sql.tables import Base, BigId  # noqa: F401
