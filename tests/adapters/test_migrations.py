"""All migrations together: head equals the table definitions exactly; base to head and back."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from haechi.adapters.sql import migrate
from haechi.adapters.sql.schema import metadata


def test_head_matches_the_table_definitions_and_downgrades_to_nothing(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine, "head")
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
