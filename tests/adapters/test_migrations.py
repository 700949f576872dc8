"""All migrations together, on the pass's database (SQLite, and PostgreSQL in `--db=postgresql`):
head equals the table definitions exactly; base → head → base → head leaves nothing behind."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from haechi.adapters.sql import migrate
from haechi.adapters.sql.schema import metadata


def _assert_head_matches_metadata(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_head_matches_the_table_definitions_and_downgrades_to_nothing(
    blank_database_url: str,
) -> None:
    engine = create_engine(blank_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        migrate.upgrade(engine, "head")
        _assert_head_matches_metadata(engine)
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        if engine.dialect.name == "postgresql":
            assert inspect(engine).get_enums() == []  # downgrade drops the types it made too
        migrate.upgrade(engine, "head")
        _assert_head_matches_metadata(engine)
    finally:
        engine.dispose()
