"""The audit log for auditors: their own organisation's entries, with the chain fields to verify."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    seq: int
    at: float
    actor: str
    action: str
    resource_type: str
    resource_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPagePublic(BaseModel):
    entries: list[AuditEntryPublic]
    next_after: int | None


@router.get("", summary="Audit entries about the caller's organisation (needs audit:read)")
def audit_page(
    services: ServicesDep,
    principal: PrincipalDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPagePublic:
    page = services.audit.page(principal, after_seq=after, limit=limit)
    return AuditPagePublic(
        entries=[
            AuditEntryPublic(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                resource_type=e.resource_type,
                resource_id=e.resource_id,
                detail=e.detail,
                prev_hash=e.prev_hash,
                hash=e.hash,
            )
            for e in page.entries
        ],
        next_after=page.next_after,
    )
