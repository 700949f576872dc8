"""Tables for detector results and routing rules (issue 7)."""

from __future__ import annotations

from haechi.adapters.sql.tables import Base, BigId  # noqa: F401
