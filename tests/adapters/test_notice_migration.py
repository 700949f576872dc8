"""The hand-written 0004 migration: its tables and indexes, and a clean downgrade."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from haechi.adapters.sql import migrate

MINE = {"notice", "notice_item", "webhook_endpoint", "webhook_delivery"}


def test_upgrade_matches_tables_and_downgrade_removes_them(blank_database_url: str) -> None:
    engine = create_engine(blank_database_url)
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    indexes = {i["name"] for i in inspect(engine).get_indexes("notice")}
    assert {"ix_notice_from_org_sent", "ix_notice_to_org_sent", "ix_notice_case_id"} <= indexes

    migrate.downgrade(engine, "0003")
    assert not MINE & set(inspect(engine).get_table_names())
    assert "organisation" in inspect(engine).get_table_names()
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    engine.dispose()
