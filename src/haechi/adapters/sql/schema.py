"""Every table module, imported once, so Alembic and tests see the whole schema."""

from __future__ import annotations

from haechi.adapters.sql import (
    tables,
    tables_cases,
    tables_detections,
    tables_faces,
    tables_federation,
    tables_hotline,
    tables_jobs,
    tables_le_requests,
    tables_notices,
    tables_reliability,
    tables_rooms,
    tables_scans,
    tables_tenancy,
    tables_video,
)
from haechi.adapters.sql.tables import Base

metadata = Base.metadata
__all__ = [
    "metadata",
    "tables",
    "tables_cases",
    "tables_detections",
    "tables_faces",
    "tables_federation",
    "tables_hotline",
    "tables_jobs",
    "tables_le_requests",
    "tables_notices",
    "tables_reliability",
    "tables_rooms",
    "tables_scans",
    "tables_tenancy",
    "tables_video",
]
