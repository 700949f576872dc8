"""Logical dump and load of every table (issue 10 backups), for SQLite and PostgreSQL alike.

Rows are JSON lines, one file per table, read in ONE transaction so the dump is a consistent
snapshot (SQLite: a WAL read snapshot; PostgreSQL: REPEATABLE READ). Bytes are base64-encoded.
Loading inserts in foreign-key order into a migrated, empty database and then moves PostgreSQL's
id sequences past the restored ids. The same dump restores into either database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, LargeBinary, Table, func, null, select, text
from sqlalchemy.types import JSON

from haechi.adapters.sql.schema import metadata

BATCH = 1000


def tables() -> list[Table]:
    return list(metadata.sorted_tables)


def dump(engine: Engine, out_dir: Path) -> dict[str, int]:
    """Write `<table>.jsonl` for every table; returns the row count of each."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        for table in tables():
            with (out_dir / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                counts[table.name] = _dump_table(conn, table, out)
    return counts


def _dump_table(conn: Connection, table: Table, out: IO[str]) -> int:
    binary = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
    n = 0
    order = list(table.primary_key.columns) or list(table.columns)
    for row in conn.execute(select(table).order_by(*order)).mappings():
        record = {
            k: (base64.b64encode(v).decode() if k in binary and v is not None else v)
            for k, v in row.items()
        }
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
        n += 1
    return n


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables()
        }


def load(engine: Engine, in_dir: Path) -> dict[str, int]:
    """Insert every table's rows (one transaction); returns the row count of each."""
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in tables():
            path = in_dir / f"{table.name}.jsonl"
            counts[table.name] = _load_table(conn, table, path) if path.exists() else 0
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
    return counts


def _load_table(conn: Connection, table: Table, path: Path) -> int:
    n = 0
    for batch in _batches(table, path):
        conn.execute(table.insert(), batch)
        n += len(batch)
    return n


def _batches(table: Table, path: Path) -> Iterator[list[dict[str, Any]]]:
    binary = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    known = set(table.columns.keys())
    batch: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            record = json.loads(line)
            row: dict[str, Any] = {}
            for k, value in record.items():
                if k not in known:
                    raise ValueError(f"{table.name}: unknown column {k!r} in the backup")
                if value is None:
                    row[k] = null() if k in json_cols else None
                else:
                    row[k] = base64.b64decode(value) if k in binary else value
            batch.append(row)
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def clear(engine: Engine) -> None:
    """Delete every row of every table (restore --force)."""
    with engine.begin() as conn:
        for table in reversed(tables()):
            conn.execute(table.delete())


def _reset_sequences(conn: Connection) -> None:
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is not True and not (
                column.autoincrement == "auto" and len(table.primary_key.columns) == 1
            ):
                continue
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": f'"{table.name}"', "c": column.name},
            ).scalar_one_or_none()
            if seq is not None:
                # names come from our own table definitions, not from input
                top = conn.execute(select(func.max(column))).scalar_one_or_none()
                conn.execute(
                    text("SELECT setval(:s, :v, false)"), {"s": seq, "v": int(top or 0) + 1}
                )


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
