"""SQL job store (issue 6): the durable queue behind `JobService`.

Claiming is one statement, `UPDATE job SET <running, lease> WHERE id IN (<due ids> LIMIT n)`:
on PostgreSQL the inner select takes its rows `FOR UPDATE SKIP LOCKED`, so workers on several
machines each take different jobs without waiting on one another; SQLite has one writer at a
time and runs the statement atomically, so only one claimer wins a row there too. Every later
write (heartbeat, outcome) is conditional on the lease owner, so a worker that lost its lease
(cancelled, or presumed dead and re-claimed) cannot overwrite the new owner's state.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from haechi.adapters.sql.job_rows import CLAIM, UNFINISHED, job_of
from haechi.adapters.sql.tables_jobs import JobRow
from haechi.domain.errors import Conflict
from haechi.domain.jobs import check_job
from haechi.services.ports_jobs import FINISHED, RETRYABLE, Job, JobFilter, JobState


class SqlJobStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        org_id: int | None = None,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
        run_after: float | None = None,
        now: float | None = None,
    ) -> int:
        check_job(kind, dedupe_key=dedupe_key, max_attempts=max_attempts)
        now = time.time() if now is None else now
        active = None if dedupe_key is None else f"{kind}:{dedupe_key}"
        values: dict[str, Any] = {
            "kind": kind,
            "payload": dict(payload),
            "org_id": org_id,
            "state": JobState.QUEUED.value,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_after": now if run_after is None else run_after,
            "progress_done": 0,
            "progress_total": 0,
            "dedupe_key": dedupe_key,
            "active_key": active,
            "created_at": now,
            "updated_at": now,
        }
        if active is None:
            row = JobRow(**values)
            self._s.add(row)
            self._s.flush()
            return row.id
        return self._insert_once(values, active)

    def _insert_once(self, values: dict[str, Any], active: str) -> int:
        """INSERT … ON CONFLICT DO NOTHING: a duplicate never aborts the caller's transaction."""
        dialect = self._s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(JobRow).values(**values).on_conflict_do_nothing(index_elements=["active_key"])
        new_id = self._s.scalar(stmt.returning(JobRow.id))
        if new_id is not None:
            return int(new_id)
        existing = self._s.scalar(select(JobRow.id).where(JobRow.active_key == active))
        if existing is None:  # finished between our insert and this read: try once more
            new_id = self._s.scalar(stmt.returning(JobRow.id))
            if new_id is None:
                raise Conflict(f"could not enqueue {active}; try again")
            return int(new_id)
        return int(existing)

    def claim(
        self, *, owner: str, now: float, lease_s: float, kinds: Collection[str], limit: int = 1
    ) -> list[Job]:
        if not kinds or limit < 1:
            return []
        params = {
            "now": now,
            "kinds": sorted(kinds),
            "limit": limit,
            "owner": owner,
            "lease_until": now + lease_s,
        }
        rows = self._s.scalars(CLAIM, params).all()
        return sorted((job_of(r) for r in rows), key=lambda j: (j.run_after, j.id))

    def bury_lost(self, *, now: float) -> int:
        result = self._s.execute(
            update(JobRow)
            .where(
                JobRow.state == JobState.RUNNING.value,
                JobRow.lease_until < now,
                JobRow.attempts >= JobRow.max_attempts,
            )
            .values(
                state=JobState.DEAD.value,
                error="the worker running the last attempt was lost (lease expired)",
                lease_owner=None,
                lease_until=None,
                active_key=None,
                finished_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _owned(self, job_id: int, owner: str) -> ColumnElement[bool]:
        return and_(
            JobRow.id == job_id,
            JobRow.state == JobState.RUNNING.value,
            JobRow.lease_owner == owner,
        )

    def heartbeat(
        self,
        job_id: int,
        *,
        owner: str,
        lease_until: float,
        now: float,
        progress: tuple[int, int] | None = None,
    ) -> bool:
        values: dict[str, Any] = {"lease_until": lease_until, "updated_at": now}
        if progress is not None:
            values |= {"progress_done": progress[0], "progress_total": progress[1]}
        result = self._s.execute(
            update(JobRow)
            .where(self._owned(job_id, owner))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def finish(
        self,
        job_id: int,
        *,
        owner: str,
        state: JobState,
        now: float,
        error: str | None = None,
        run_after: float | None = None,
        progress: tuple[int, int] | None = None,
    ) -> Job | None:
        values: dict[str, Any] = {
            "state": state.value,
            "error": error,
            "lease_owner": None,
            "lease_until": None,
            "updated_at": now,
        }
        if state in FINISHED:
            values |= {"finished_at": now, "active_key": None}
        if progress is not None:
            values |= {"progress_done": progress[0], "progress_total": progress[1]}
        if state is JobState.DONE and progress is None:
            values["progress_done"] = case(
                (JobRow.progress_total > JobRow.progress_done, JobRow.progress_total),
                else_=JobRow.progress_done,
            )
        if run_after is not None:
            values["run_after"] = run_after
        row = self._s.scalars(
            update(JobRow)
            .where(self._owned(job_id, owner))
            .values(**values)
            .returning(JobRow)
            .execution_options(synchronize_session=False)
        ).first()
        return None if row is None else job_of(row)

    def get(self, job_id: int) -> Job | None:
        row = self._s.get(JobRow, job_id, populate_existing=True)
        return None if row is None else job_of(row)

    def list(self, query: JobFilter) -> list[Job]:
        stmt = select(JobRow).order_by(JobRow.id.desc()).limit(query.limit)
        if query.state is not None:
            stmt = stmt.where(JobRow.state == query.state.value)
        if query.kind is not None:
            stmt = stmt.where(JobRow.kind == query.kind)
        if query.org_id is not None:
            stmt = stmt.where(JobRow.org_id == query.org_id)
        if query.before_id is not None:
            stmt = stmt.where(JobRow.id < query.before_id)
        return [job_of(r) for r in self._s.scalars(stmt)]

    def counts(self, *, org_id: int | None = None) -> dict[JobState, int]:
        stmt = select(JobRow.state, func.count()).group_by(JobRow.state)
        if org_id is not None:
            stmt = stmt.where(JobRow.org_id == org_id)
        found = {JobState(state): int(n) for state, n in self._s.execute(stmt).all()}
        return {state: found.get(state, 0) for state in JobState}

    def reset(self, job_id: int, *, now: float) -> Job | None:
        row = self._s.get(JobRow, job_id, with_for_update=True)
        if row is None or JobState(row.state) not in RETRYABLE:
            return None
        if row.dedupe_key is not None:
            active = f"{row.kind}:{row.dedupe_key}"
            other = self._s.scalar(select(JobRow.id).where(JobRow.active_key == active))
            if other is not None:
                raise Conflict(f"job {other} with the same dedupe key is still pending")
            row.active_key = active
        row.state, row.attempts, row.run_after = JobState.QUEUED.value, 0, now
        row.progress_done, row.finished_at, row.updated_at = 0, None, now
        self._s.flush()
        return job_of(row)

    def cancel(self, job_id: int, *, now: float) -> Job | None:
        row = self._s.get(JobRow, job_id, with_for_update=True)
        if row is None or row.state not in UNFINISHED:
            return None
        row.state, row.active_key = JobState.CANCELLED.value, None
        row.lease_owner, row.lease_until = None, None
        row.finished_at = row.updated_at = now
        self._s.flush()
        return job_of(row)

    def purge(self, *, finished_before: float) -> int:
        result = self._s.execute(
            delete(JobRow)
            .where(
                JobRow.state.in_([JobState.DONE.value, JobState.CANCELLED.value]),
                JobRow.finished_at < finished_before,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
