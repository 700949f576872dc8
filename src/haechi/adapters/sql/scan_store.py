"""SQL store for bulk scan runs and their per-file results (issue 6)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_scans import ScanFileRow, ScanRunRow
from haechi.domain.scans import (
    FileOutcome,
    FileStatus,
    RunStatus,
    ScanHit,
    ScannedFile,
    ScanRun,
    path_key,
)

#: keys per IN (...) query: well under SQLite's and PostgreSQL's bound-parameter limits
_CHUNK = 500


class SqlScanStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create_run(self, *, source: str, engine: str, requester: str | None, at: float) -> int:
        row = ScanRunRow(
            source=source,
            engine=engine,
            status=RunStatus.RUNNING.value,
            requester=requester,
            files_total=0,
            files_done=0,
            files_matched=0,
            files_failed=0,
            files_skipped=0,
            rescanned=0,
            resumes=0,
            busy_s=0.0,
            started_at=at,
            updated_at=at,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get_run(self, run_id: int) -> ScanRun | None:
        row = self._session.get(ScanRunRow, run_id)
        return None if row is None else _run(row)

    def unfinished_run(self, source: str) -> ScanRun | None:
        row = self._session.scalars(
            select(ScanRunRow)
            .where(ScanRunRow.source == source, ScanRunRow.status == RunStatus.RUNNING.value)
            .order_by(ScanRunRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _run(row)

    def list_runs(self, *, limit: int) -> list[ScanRun]:
        rows = self._session.scalars(select(ScanRunRow).order_by(ScanRunRow.id.desc()).limit(limit))
        return [_run(r) for r in rows]

    def finished_keys(self, run_id: int) -> set[str]:
        return set(
            self._session.scalars(select(ScanFileRow.path_key).where(ScanFileRow.run_id == run_id))
        )

    def begin(
        self, run_id: int, *, engine: str, owner: str, files_total: int, resumed: bool, at: float
    ) -> None:
        self._session.execute(
            update(ScanRunRow)
            .where(ScanRunRow.id == run_id)
            .values(
                engine=engine,
                owner=owner,
                files_total=files_total,
                status=RunStatus.RUNNING.value,
                finished_at=None,
                resumes=ScanRunRow.resumes + (1 if resumed else 0),
                updated_at=at,
            )
        )

    def record(
        self,
        run_id: int,
        results: Sequence[tuple[FileOutcome, list[ScanHit]]],
        *,
        busy_s: float,
        at: float,
    ) -> int:
        keyed = {path_key(o.path): (o, hits) for o, hits in results}
        existing = self._existing(run_id, list(keyed))
        # a file finished before is replaced, and counted once, as rescanned
        old = list(existing.values())
        for row in old:
            self._session.delete(row)
        self._session.flush()
        self._session.add_all(_file_row(run_id, k, o, h, at) for k, (o, h) in keyed.items())
        new = [o.status.value for o, _ in keyed.values()]
        was = [r.status for r in old]
        matched = sum(1 for _, h in keyed.values() if h) - sum(1 for r in old if r.matched)
        self._session.execute(
            update(ScanRunRow)
            .where(ScanRunRow.id == run_id)
            .values(
                files_done=ScanRunRow.files_done + len(keyed) - len(old),
                files_matched=ScanRunRow.files_matched + matched,
                files_failed=ScanRunRow.files_failed + _delta(new, was, FileStatus.FAILED),
                files_skipped=ScanRunRow.files_skipped + _delta(new, was, FileStatus.SKIPPED),
                rescanned=ScanRunRow.rescanned + len(existing),
                busy_s=ScanRunRow.busy_s + busy_s,
                updated_at=at,
            )
        )
        return len(existing)

    def _existing(self, run_id: int, keys: list[str]) -> dict[str, ScanFileRow]:
        found: dict[str, ScanFileRow] = {}
        for start in range(0, len(keys), _CHUNK):
            rows = self._session.scalars(
                select(ScanFileRow).where(
                    ScanFileRow.run_id == run_id,
                    ScanFileRow.path_key.in_(keys[start : start + _CHUNK]),
                )
            )
            found.update((r.path_key, r) for r in rows)
        return found

    def finish(self, run_id: int, *, at: float) -> None:
        self._session.execute(
            update(ScanRunRow)
            .where(ScanRunRow.id == run_id)
            .values(status=RunStatus.FINISHED.value, finished_at=at, updated_at=at)
        )

    def files(
        self, run_id: int, *, matched_only: bool, failed_only: bool, limit: int
    ) -> list[ScannedFile]:
        query = select(ScanFileRow).where(ScanFileRow.run_id == run_id)
        if matched_only:
            query = query.where(ScanFileRow.matched.is_(True))
        if failed_only:
            query = query.where(ScanFileRow.status == FileStatus.FAILED.value)
        rows = self._session.scalars(query.order_by(ScanFileRow.id).limit(limit))
        return [_file(r) for r in rows]


def _delta(new: list[str], was: list[str], status: FileStatus) -> int:
    return new.count(status.value) - was.count(status.value)


def _file_row(
    run_id: int, key: str, outcome: FileOutcome, hits: list[ScanHit], at: float
) -> ScanFileRow:
    return ScanFileRow(
        run_id=run_id,
        path_key=key,
        path=outcome.path,
        size=outcome.size,
        status=outcome.status.value,
        content_type=outcome.content_type,
        hashes=dict(outcome.hashes),
        low_quality=list(outcome.low_quality),
        hits=[
            {
                "signal_type": h.signal_type,
                "bank": h.bank,
                "content_id": h.content_id,
                "distance": h.distance,
            }
            for h in hits
        ],
        matched=bool(hits),
        error=outcome.error,
        scanned_at=at,
    )


def _file(row: ScanFileRow) -> ScannedFile:
    return ScannedFile(
        path=row.path,
        size=row.size,
        status=FileStatus(row.status),
        content_type=row.content_type,
        hashes=dict(row.hashes),
        hits=[
            ScanHit(h["signal_type"], h["bank"], int(h["content_id"]), int(h["distance"]))
            for h in row.hits
        ],
        error=row.error,
        scanned_at=row.scanned_at,
    )


def _run(row: ScanRunRow) -> ScanRun:
    return ScanRun(
        id=row.id,
        source=row.source,
        engine=row.engine,
        status=RunStatus(row.status),
        requester=row.requester,
        owner=row.owner,
        files_total=row.files_total,
        files_done=row.files_done,
        files_matched=row.files_matched,
        files_failed=row.files_failed,
        files_skipped=row.files_skipped,
        rescanned=row.rescanned,
        resumes=row.resumes,
        busy_s=row.busy_s,
        started_at=row.started_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )
