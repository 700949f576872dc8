"""The hand-written 0005 migration: `report.bulk_source`, false for old reports, clean downgrade."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from haechi.adapters.sql import migrate


def _columns(engine: object) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("report")}


def test_upgrade_adds_the_marker_and_downgrade_removes_it(blank_database_url: str) -> None:
    engine = create_engine(blank_database_url)
    migrate.upgrade(engine, "0004")
    assert "bulk_source" not in _columns(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation VALUES (1, 'KCSC', 'regulator', 'UTC', 0)"))
        conn.execute(
            text(
                'INSERT INTO "case" (id, number, owner_org_id, status, priority, shared_with,'
                " created_at, updated_at) VALUES (1, 'HC-2026-000001', 1, 'open', 2, '[]', 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO report (case_id, reporter_kind, channel, explanation, good_faith,"
                " status, created_at) VALUES (1, 'victim', 'web', 'x', TRUE, 'received', 0)"
            )
        )
    migrate.upgrade(engine, "0005")
    assert "bulk_source" in _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT bulk_source FROM report")).scalar_one() in (0, False)
    migrate.downgrade(engine, "0004")
    assert "bulk_source" not in _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report")).scalar_one() == 1
    migrate.upgrade(engine, "head")
    assert "bulk_source" in _columns(engine)
    engine.dispose()
