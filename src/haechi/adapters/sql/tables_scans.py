"""Tables for bulk scan runs and per-file progress (issue 6).

`scan_run` carries running counters so `haechi scan status` reads one row however large the run.
`scan_file` holds one row per finished file (its hashes, matches or error); a resume skips every
path with a row. Paths are unbounded (S3 keys, deep trees), so uniqueness is on `path_key`, the
SHA-256 of the path, which keeps the index small on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class ScanRunRow(Base):
    __tablename__ = "scan_run"
    __table_args__ = (Index("ix_scan_run_source_status", "source", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(1024))
    engine: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    requester: Mapped[str | None] = mapped_column(String(128))
    #: the process working the run (host:pid), so a second one does not take it over
    owner: Mapped[str | None] = mapped_column(String(255))
    files_total: Mapped[int] = mapped_column(Integer, default=0)
    files_done: Mapped[int] = mapped_column(Integer, default=0)
    files_matched: Mapped[int] = mapped_column(Integer, default=0)
    files_failed: Mapped[int] = mapped_column(Integer, default=0)
    files_skipped: Mapped[int] = mapped_column(Integer, default=0)
    rescanned: Mapped[int] = mapped_column(Integer, default=0)
    resumes: Mapped[int] = mapped_column(Integer, default=0)
    busy_s: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)


class ScanFileRow(Base):
    __tablename__ = "scan_file"
    __table_args__ = (
        Index("ux_scan_file_run_path", "run_id", "path_key", unique=True),
        Index("ix_scan_file_run_status", "run_id", "status"),
        Index("ix_scan_file_run_matched", "run_id", "matched"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_run.id", ondelete="CASCADE"))
    path_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(32))
    hashes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    low_quality: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: [{signal_type, bank, content_id, distance}]; empty when nothing matched
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    matched: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    scanned_at: Mapped[float] = mapped_column(Float)
