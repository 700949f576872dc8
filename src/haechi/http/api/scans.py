"""Bulk scans over the API, read-only: runs and their progress, and one run's matched or failed
files. Scans are started from the command line (`haechi scan`); only the instance's regulator
admins (`scans:read`) see them. Times are UTC seconds."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from haechi.domain.scans import ScannedFile, ScanRun
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.scan_access import require_scan_reader

router = APIRouter(prefix="/api/v1/scans", tags=["scans"])


class ScanRunPublic(BaseModel):
    id: int
    source: str
    engine: str
    status: str
    files_total: int
    files_done: int
    files_matched: int
    files_failed: int
    files_skipped: int
    #: finished files hashed again (a resume keeps this at 0)
    rescanned: int
    resumes: int
    files_per_s: float
    started_at: float
    updated_at: float
    finished_at: float | None

    @classmethod
    def of(cls, run: ScanRun) -> ScanRunPublic:
        return cls(
            id=run.id,
            source=run.source,
            engine=run.engine,
            status=run.status.value,
            files_total=run.files_total,
            files_done=run.files_done,
            files_matched=run.files_matched,
            files_failed=run.files_failed,
            files_skipped=run.files_skipped,
            rescanned=run.rescanned,
            resumes=run.resumes,
            files_per_s=round(run.files_per_s, 1),
            started_at=run.started_at,
            updated_at=run.updated_at,
            finished_at=run.finished_at,
        )


class ScanHitPublic(BaseModel):
    signal_type: str
    bank: str
    content_id: int
    distance: int


class ScannedFilePublic(BaseModel):
    path: str
    size: int
    status: str
    content_type: str | None
    hashes: dict[str, str]
    hits: list[ScanHitPublic]
    error: str | None
    scanned_at: float

    @classmethod
    def of(cls, f: ScannedFile) -> ScannedFilePublic:
        return cls(
            path=f.path,
            size=f.size,
            status=f.status.value,
            content_type=f.content_type,
            hashes=dict(f.hashes),
            hits=[ScanHitPublic.model_validate(h, from_attributes=True) for h in f.hits],
            error=f.error,
            scanned_at=f.scanned_at,
        )


class ScanDetail(BaseModel):
    run: ScanRunPublic
    files: list[ScannedFilePublic]


@router.get("", summary="Scan runs, newest first")
def list_scans(
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ScanRunPublic]:
    require_scan_reader(principal)
    return [ScanRunPublic.of(r) for r in services.scans.list_runs(limit=limit)]


@router.get("/{run_id}", summary="One run, with its matched (default) or failed files")
def get_scan(
    run_id: int,
    services: ServicesDep,
    principal: PrincipalDep,
    files: Literal["matched", "failed", "none"] = "matched",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ScanDetail:
    require_scan_reader(principal)
    run = services.scans.get(run_id)
    found = (
        []
        if files == "none"
        else services.scans.files(
            run_id, matched_only=files == "matched", failed_only=files == "failed", limit=limit
        )
    )
    return ScanDetail(run=ScanRunPublic.of(run), files=[ScannedFilePublic.of(f) for f in found])
