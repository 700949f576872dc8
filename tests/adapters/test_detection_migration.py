"""The hand-written 0011 migration: detector results, routing rules and hits exactly as the table
definitions say, and a clean downgrade to 0010 (SQLite, and PostgreSQL with --db=postgresql)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from haechi.adapters.sql import migrate
from haechi.adapters.sql.schema import metadata

MINE = {"detection_result", "routing_rule", "routing_hit"}


def _my_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if any(t in repr(d) for t in MINE)]


def test_0011_matches_the_tables_and_downgrades_cleanly(blank_database_url: str) -> None:
    engine = create_engine(blank_database_url)
    try:
        migrate.upgrade(engine, "0011")
        assert set(inspect(engine).get_table_names()) >= MINE
        assert _my_differences(blank_database_url) == []
        unique = {i["name"] for i in inspect(engine).get_indexes("detection_result") if i["unique"]}
        assert "ux_detection_result_item_detector" in unique
        migrate.downgrade(engine, "0010")
        assert not MINE & set(inspect(engine).get_table_names())
        migrate.upgrade(engine, "0011")
        assert set(inspect(engine).get_table_names()) >= MINE
    finally:
        engine.dispose()
