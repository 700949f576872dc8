"""One fresh PostgreSQL database per test, cheaply: a migrated template copied with CREATE DATABASE.

The template is migrated to head once per session; each test's database is `CREATE DATABASE …
TEMPLATE …` (tens of milliseconds) and is dropped WITH (FORCE) when the test ends, which also ends
connections a test left open. Names carry the process id, so two runs can share one server.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from haechi.adapters.sql import migrate


class PgDatabases:
    def __init__(self, admin_url: str) -> None:
        self._url = make_url(admin_url)
        if self._url.drivername in {"postgresql", "postgres"}:
            self._url = self._url.set(drivername="postgresql+psycopg")
        self._admin: Engine = create_engine(
            self._url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self.prefix = f"hx{os.getpid()}_"
        self.template = f"{self.prefix}template"
        self._by_path: dict[Path, str] = {}
        self._counter = itertools.count(1)

    def url(self, database: str) -> str:
        return self._url.set(database=database).render_as_string(hide_password=False)

    def server_version(self) -> str:
        with self._admin.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())

    def prepare(self) -> None:
        """Create the template and migrate it to head (once per session)."""
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.template}"')
        engine = create_engine(self.url(self.template), poolclass=NullPool)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()

    def for_path(self, path: Path) -> str:
        """The database belonging to a test's tmp_path (the same one when asked again)."""
        if path not in self._by_path:
            name = f"{self.prefix}{next(self._counter)}"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self._by_path[path] = name
        return self.url(self._by_path[path])

    def blank(self) -> str:
        """An empty database (no tables): for migration tests."""
        name = f"{self.prefix}{next(self._counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self._by_path[Path(f"/nonexistent/blank/{name}")] = name
        return self.url(name)

    def names(self) -> set[str]:
        return set(self._by_path.values())

    def drop_all_but(self, keep: set[str]) -> None:
        for path, name in list(self._by_path.items()):
            if name not in keep:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                del self._by_path[path]

    def close(self) -> None:
        try:
            self.drop_all_but(set())
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        finally:
            self._admin.dispose()

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(sql))
