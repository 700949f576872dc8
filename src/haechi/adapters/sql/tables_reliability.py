"""Table of idempotency keys (issue 10).

One row per (scope, key): `scope` is a SHA-256 of the caller's credential (or "anonymous"), `key`
the client's Idempotency-Key. `fingerprint` hashes method, path, query and body so a reused key
with a different request is refused. `state` is `started` while the first attempt runs and `done`
once its response is stored; `work_committed` is set in the same transaction as the attempt's
first commit, so after a crash an abandoned attempt is known to have changed nothing (safe to run
again) or to have committed (never re-run). Times are UTC seconds (floats), as elsewhere.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotency_key_scope_key"),
        Index("ix_idempotency_key_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(1000))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    work_committed: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    #: JSON list of [name, value] pairs kept from the first response (content type, location)
    response_headers: Mapped[str | None] = mapped_column(Text)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Float)
    locked_until: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
