"""Tables for rooms, accounts, posts, blocklists (issue 8)."""

from __future__ import annotations

from haechi.adapters.sql.tables import Base, BigId  # noqa: F401
