"""The hand-written 0004 migration: upgrade and downgrade, and it matches the table definitions."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from haechi.adapters.sql import migrate
from haechi.adapters.sql.schema import metadata

MINE = {"notice", "notice_item", "webhook_endpoint", "webhook_delivery"}


def _touches_mine(diff: object) -> bool:
    """Whether one autogenerate difference concerns the notices tables."""
    if isinstance(diff, list):
        return any(_touches_mine(d) for d in diff)
    assert isinstance(diff, tuple)
    for part in diff[1:]:
        table = getattr(part, "table", None)
        if getattr(part, "name", None) in MINE or getattr(table, "name", None) in MINE:
            return True
        if isinstance(part, str) and part in MINE:
            return True
    return False


def test_upgrade_matches_tables_and_downgrade_removes_them(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    with engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert [d for d in diffs if _touches_mine(d)] == []
    indexes = {i["name"] for i in inspect(engine).get_indexes("notice")}
    assert {"ix_notice_from_org_sent", "ix_notice_to_org_sent", "ix_notice_case_id"} <= indexes

    migrate.downgrade(engine, "0003")
    assert not MINE & set(inspect(engine).get_table_names())
    assert "organisation" in inspect(engine).get_table_names()
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    engine.dispose()
