"""Engine and session construction for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the API server, the CLI and
background threads can share one database file safely. Two choices make it crash-safe and free of
spurious "database is locked" errors (issue 10):

* `synchronous` is FULL by default: every commit is fsynced to the WAL before it returns, so an
  acknowledged write survives a process kill AND a power loss. NORMAL (a setting) survives a
  process kill (the WAL is in the OS cache) but may lose the last commits on power loss.
* Every transaction starts with BEGIN IMMEDIATE (the pysqlite driver's own BEGIN is turned off).
  A deferred transaction that read first and writes later cannot wait for the write lock when
  another connection committed meanwhile: SQLite fails it at once with "database is locked",
  whatever busy_timeout says. Taking the write lock at BEGIN makes writers queue on busy_timeout
  instead. Readers are never blocked by it in WAL mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 20, sqlite_synchronous: str = "FULL"
) -> Engine:
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        # psycopg 3 (the `postgres` extra) is the driver; SQLAlchemy's default would be psycopg2
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if sqlite_synchronous not in {"NORMAL", "FULL", "EXTRA"}:
            raise ValueError("sqlite synchronous must be NORMAL, FULL or EXTRA")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _SqlitePragmas(sqlite_synchronous))
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


class _SqlitePragmas:
    def __init__(self, synchronous: str) -> None:
        self._synchronous = synchronous

    def __call__(self, dbapi_connection: Any, _record: Any) -> None:
        # the driver must not open transactions itself: `_begin_immediate` does
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={self._synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)
