"""Table of the background job queue (issue 6).

Times are UTC seconds (floats), as elsewhere. `active_key` is `kind:dedupe_key` while a job is
unfinished and NULL afterwards: its unique constraint makes deduplication race-free on SQLite
and PostgreSQL alike (both allow many NULLs). The two (state, time) indexes serve the claim query:
due jobs by `run_after`, lost jobs by `lease_until`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class JobRow(Base):
    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_state_run_after", "state", "run_after"),
        Index("ix_job_state_lease_until", "state", "lease_until"),
        Index("ix_job_org_id_id", "org_id", "id"),
        Index("ix_job_kind_state", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the organisation the job works for (None: an instance-wide job)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[float] = mapped_column(Float)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[float | None] = mapped_column(Float)
    progress_done: Mapped[int] = mapped_column(Integer)
    progress_total: Mapped[int] = mapped_column(Integer)
    #: the last attempt's error, truncated
    error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    active_key: Mapped[str | None] = mapped_column(String(270), unique=True)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
