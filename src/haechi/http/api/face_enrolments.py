"""Consented victim face enrolments over the API (victim-support analysts only).

`POST /api/v1/face-enrolments` takes multipart: one or more `photo` files, the consent fields, and
optionally the consent document itself (hashed, never stored). The photos are embedded in memory
and dropped. Listing returns consent records and template counts, never embeddings. There is
deliberately no route that takes a face and searches for it: enrolled faces are compared only
with content reported to the organisation (docs/face-matching.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from haechi.domain.errors import InvalidInput, MediaTooLarge
from haechi.domain.faces import MAX_PHOTOS, ConsentDraft, Enrolment
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.faces import Photo

router = APIRouter(prefix="/api/v1", tags=["face enrolments"])
BASE = "/face-enrolments"
_FIELDS = ("subject_ref", "consent_method", "purpose", "expires_at", "case_number")


class WithdrawIn(BaseModel):
    reason: str = Field("", max_length=200)


def parse_expiry(value: str) -> float:
    """An ISO 8601 date or date-time (UTC unless it says otherwise)."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("expires_at must be an ISO 8601 date, e.g. 2027-06-30") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def enrolment_public(enrolment: Enrolment) -> dict[str, Any]:
    consent = enrolment.consent
    return {
        "id": enrolment.id,
        "subject_ref": enrolment.subject_ref,
        "status": enrolment.status.value,
        "scope": enrolment.scope.value,
        "case_id": enrolment.case_id,
        "templates": enrolment.template_count,
        "consent": {
            "recorded_by": consent.recorded_by,
            "recorded_at": consent.recorded_at,
            "method": consent.method.value,
            "purpose": consent.purpose,
            "expires_at": consent.expires_at,
            "document_sha256": consent.document_sha256,
        },
        "created_at": enrolment.created_at,
        "withdrawn_at": enrolment.withdrawn_at,
        "withdrawn_by": enrolment.withdrawn_by,
        "withdrawal_reason": enrolment.withdrawal_reason,
    }


async def read_enrolment_form(
    request: Request, max_bytes: int
) -> tuple[ConsentDraft, list[Photo], bytes | None]:
    """The multipart form: `photo` files, consent fields, optional `consent_document`."""
    form = await request.form(max_files=MAX_PHOTOS + 1, max_fields=20)
    try:
        photos, document, total = [], None, 0
        for name, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            data = await value.read(max_bytes + 1)
            total += len(data)
            if total > max_bytes:
                raise MediaTooLarge(f"uploads exceed {max_bytes} bytes")
            if name == "consent_document":
                document = data
            elif name == "photo":
                photos.append(Photo(data, value.filename or ""))
            else:
                raise InvalidInput("files go in `photo` (repeatable) and `consent_document`")
        fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    finally:
        await form.close()
    return _draft(fields), photos, document


def _draft(fields: dict[str, str]) -> ConsentDraft:
    missing = [f for f in _FIELDS[:4] if not fields.get(f)]
    if missing:
        raise InvalidInput(f"required: {', '.join(missing)}")
    return ConsentDraft(
        subject_ref=fields["subject_ref"],
        method=fields["consent_method"],
        purpose=fields["purpose"],
        expires_at=parse_expiry(fields["expires_at"]),
        case_number=fields.get("case_number") or None,
        document_sha256=fields.get("consent_document_sha256") or None,
    )


@router.post(BASE, status_code=201, summary="Enrol a consenting victim's face (photos not kept)")
async def enrol(request: Request, services: ServicesDep, principal: PrincipalDep) -> dict[str, Any]:
    draft, photos, document = await read_enrolment_form(request, services.web.max_upload_bytes)
    enrolment = await run_in_threadpool(
        services.faces.enrolment.enrol, principal, draft, photos, consent_document=document
    )
    return enrolment_public(enrolment)


@router.get(BASE, summary="The organisation's enrolments (consent records, never embeddings)")
def list_enrolments(
    services: ServicesDep, principal: PrincipalDep, active: bool = False
) -> list[dict[str, Any]]:
    found = services.faces.enrolment.enrolments(principal, active_only=active)
    return [enrolment_public(e) for e in found]


@router.get(BASE + "/{enrolment_id:int}", summary="One enrolment")
def get_enrolment(
    services: ServicesDep, principal: PrincipalDep, enrolment_id: int
) -> dict[str, Any]:
    return enrolment_public(services.faces.enrolment.get(principal, enrolment_id))


@router.post(BASE + "/{enrolment_id:int}/withdraw", summary="Withdraw: templates deleted at once")
def withdraw(
    services: ServicesDep,
    principal: PrincipalDep,
    enrolment_id: int,
    body: Annotated[WithdrawIn | None, Body()] = None,
) -> dict[str, Any]:
    reason = body.reason if body is not None else ""
    enrolment = services.faces.enrolment.withdraw(principal, enrolment_id, reason=reason)
    return enrolment_public(enrolment)
