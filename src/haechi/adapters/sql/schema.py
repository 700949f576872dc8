"""Every table module, imported once, so Alembic and tests see the whole schema."""

from __future__ import annotations

from haechi.adapters.sql import (
    tables,
    tables_cases,
    tables_hotline,
    tables_le_requests,
    tables_notices,
    tables_tenancy,
)
from haechi.adapters.sql.tables import Base

metadata = Base.metadata
__all__ = [
    "metadata",
    "tables",
    "tables_cases",
    "tables_hotline",
    "tables_le_requests",
    "tables_notices",
    "tables_tenancy",
]
