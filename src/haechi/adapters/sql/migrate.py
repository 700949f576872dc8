"""Run Alembic migrations programmatically against an engine (CLI, `make run`, tests)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

import haechi.migrations

SCRIPT_DIR = Path(haechi.migrations.__file__).parent


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    return cfg


_PG_LOCK_KEY = 0x6861_6563  # "haec"


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """One migrator at a time, even when several workers start together."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with Path(f"{database}.migrate-lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
    else:
        yield


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with _exclusive(engine), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with _exclusive(engine), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the table definitions (developer tool)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True, rev_id=None)
