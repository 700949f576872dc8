"""The hand-written 0007 migration: hotline tables and indexes, and a clean downgrade to 0006."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from haechi.adapters.sql import migrate

MINE = {"hotline_message", "hotline_receipt"}


def test_upgrade_creates_and_downgrade_removes_the_hotline_tables(blank_database_url: str) -> None:
    engine = create_engine(blank_database_url)
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    indexes = {i["name"] for i in inspect(engine).get_indexes("hotline_receipt")}
    assert "ux_hotline_receipt_message_reader" in indexes
    migrate.downgrade(engine, "0006")
    assert not MINE & set(inspect(engine).get_table_names())
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    engine.dispose()
