"""Tables for federation, exchange imports, flood control (issue 9)."""

from __future__ import annotations

from haechi.adapters.sql.tables import Base, BigId  # noqa: F401
