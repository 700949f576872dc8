"""Row ↔ domain mapping of the job table and the claim statement, built once (issue 6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String, and_, bindparam, or_, select, update

from haechi.adapters.sql.tables_jobs import JobRow
from haechi.services.ports_jobs import Job, JobState

WAITING = (JobState.QUEUED.value, JobState.FAILED.value)
UNFINISHED = (*WAITING, JobState.RUNNING.value)


def job_of(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        payload=row.payload,
        org_id=row.org_id,
        state=JobState(row.state),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        error=row.error,
        created_at=row.created_at,
        run_after=row.run_after,
        finished_at=row.finished_at,
        started_at=row.started_at,
        updated_at=row.updated_at,
        dedupe_key=row.dedupe_key,
        lease_owner=row.lease_owner,
        lease_until=row.lease_until,
    )


def _claim_statement() -> Any:
    """Built once (bound parameters: now, kinds, limit, owner, lease_until) so claiming pays for
    no statement construction: the claim runs on every worker poll."""
    now = bindparam("now", type_=Float)
    due = and_(JobRow.state.in_(WAITING), JobRow.run_after <= now)
    lost = and_(
        JobRow.state == JobState.RUNNING.value,
        JobRow.lease_until < now,
        JobRow.attempts < JobRow.max_attempts,
    )
    ids = (
        select(JobRow.id)
        .where(or_(due, lost), JobRow.kind.in_(bindparam("kinds", expanding=True)))
        .order_by(JobRow.run_after, JobRow.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(JobRow)
        .where(JobRow.id.in_(ids.scalar_subquery()))
        .values(
            state=JobState.RUNNING.value,
            attempts=JobRow.attempts + 1,
            lease_owner=bindparam("owner", type_=String),
            lease_until=bindparam("lease_until", type_=Float),
            started_at=now,
            updated_at=now,
        )
        .returning(JobRow)
        .execution_options(synchronize_session=False)
    )


CLAIM = _claim_statement()
