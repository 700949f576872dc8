"""The hand-written 0003 migration: its tables and indexes, data kept below it, clean downgrade."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from haechi.adapters.sql import migrate

MINE = {"case", "report", "case_item", "case_item_signal", "decision"}


def test_upgrade_matches_tables_and_downgrade_removes_them(blank_database_url: str) -> None:
    engine = create_engine(blank_database_url)
    migrate.upgrade(engine, "0003")
    assert set(inspect(engine).get_table_names()) >= MINE
    migrate.upgrade(engine, "head")
    indexes = {i["name"] for i in inspect(engine).get_indexes("case_item_signal")}
    assert "ix_case_item_signal_type_value" in indexes
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation VALUES (1, 'KCSC', 'regulator', 'UTC', 0)"))
        conn.execute(
            text(
                'INSERT INTO "case" (number, owner_org_id, status, priority, shared_with,'
                " created_at, updated_at) VALUES ('HC-2026-000001', 1, 'open', 2, '[]', 0, 0)"
            )
        )
    migrate.downgrade(engine, "0002")
    assert not MINE & set(inspect(engine).get_table_names())
    assert "organisation" in inspect(engine).get_table_names()
    migrate.upgrade(engine, "head")
    assert set(inspect(engine).get_table_names()) >= MINE
    engine.dispose()
