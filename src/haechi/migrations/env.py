"""Alembic environment: runs on the connection that `migrate` hands over (no global engine)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from haechi.adapters.sql.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through haechi.adapters.sql.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
