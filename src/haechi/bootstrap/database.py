"""The database engine, sized from settings (one pool per process; see docs/operations.md)."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from haechi.adapters.sql.engine import make_engine
from haechi.config import Settings


def engine(settings: Settings) -> Engine:
    return make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        sqlite_synchronous=settings.sqlite_synchronous,
    )


def close(engine: Engine, *, wait_s: float = 3.0) -> None:
    """Dispose of the pool once background loops (told to stop) have handed their connections
    back: a connection returned after `dispose` would never be closed (PostgreSQL keeps it open
    until the process exits)."""
    checked_out = getattr(engine.pool, "checkedout", None)
    deadline = time.monotonic() + wait_s
    while callable(checked_out) and checked_out() > 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.dispose()
