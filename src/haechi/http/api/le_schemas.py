"""Schemas of the law-enforcement request API (`/api/v1/le-requests`, `/api/v1/le-domains`).

Times are UTC seconds since the epoch; durations seconds. The legal document travels as base64 in
the JSON body (at most 10 MiB) and is stored by its SHA-256.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from haechi.domain.errors import InvalidInput
from haechi.domain.le_requests import (
    DEFAULT_POLICIES,
    EmergencyBasis,
    Instrument,
    LegalBasis,
    LeRequestDraft,
    Requester,
    RequestType,
    Target,
    TargetKind,
    Urgency,
)
from haechi.domain.le_responses import (
    Disposition,
    LeRequest,
    LeResponse,
    ResponseDraft,
    SuppliedRecord,
)
from haechi.domain.le_responses import Withheld as WithheldItem
from haechi.domain.sla import resolve_policy
from haechi.services.le_dashboard import LeDashboard
from haechi.services.le_requests import Upload


class TargetIn(BaseModel):
    kind: TargetKind
    value: str = Field(max_length=2048)


class AttachmentIn(BaseModel):
    filename: str = Field(max_length=200)
    content_type: str = Field("application/pdf", max_length=100)
    data_base64: str = Field(max_length=14_000_000)

    def upload(self) -> Upload:
        try:
            data = base64.b64decode(self.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("attachment data_base64 is not valid base64") from None
        return Upload(self.filename, self.content_type, data)


class LeRequestCreate(BaseModel):
    type: RequestType
    platform: str
    agency: str
    officer: str
    officer_email: str
    badge: str
    statute: str
    instrument: Instrument
    instrument_reference: str = ""
    targets: list[TargetIn] = Field(min_length=1, max_length=200)
    urgency: Urgency = Urgency.ROUTINE
    date_from: date | None = None
    date_to: date | None = None
    case_number: str | None = None
    note: str = ""
    policy: str | None = Field(None, description="default: 24 h (emergency: 1 h); or custom")
    sla: dict[str, Any] | None = None
    emergency_threat: str | None = None
    emergency_supervisor: str | None = None
    emergency_attested: bool = False
    attachment: AttachmentIn | None = None

    def draft(self) -> LeRequestDraft:
        policy = DEFAULT_POLICIES[self.type] if self.policy is None else None
        emergency = None
        if self.emergency_threat or self.emergency_supervisor or self.emergency_attested:
            emergency = EmergencyBasis(
                self.emergency_threat or "",
                self.emergency_supervisor or "",
                self.emergency_attested,
            )
        return LeRequestDraft(
            type=self.type,
            platform=self.platform,
            agency=self.agency,
            officer=self.officer,
            officer_email=self.officer_email,
            badge=self.badge,
            basis=LegalBasis(self.statute, self.instrument, self.instrument_reference),
            targets=tuple(Target(t.kind, t.value) for t in self.targets),
            policy=policy or resolve_policy(self.policy or "", self.sla),
            urgency=self.urgency,
            date_from=self.date_from,
            date_to=self.date_to,
            case_number=self.case_number,
            note=self.note,
            emergency=emergency,
        )


class RecordIn(BaseModel):
    account: str
    category: str
    value: str


class WithheldIn(BaseModel):
    account: str
    what: str
    reason: str


class ResponseCreate(BaseModel):
    disposition: Disposition
    records: list[RecordIn] = Field(default_factory=list, max_length=1000)
    withheld: list[WithheldIn] = Field(default_factory=list, max_length=1000)
    reason: str = ""
    note: str = ""
    attested: bool = False

    def draft(self) -> ResponseDraft:
        return ResponseDraft(
            self.disposition,
            tuple(SuppliedRecord(r.account, r.category, r.value) for r in self.records),
            tuple(WithheldItem(w.account, w.what, w.reason) for w in self.withheld),
            self.reason,
            self.note,
            self.attested,
        )


class VerifyIn(BaseModel):
    accept: bool
    note: str = Field("", max_length=400)


class DomainIn(BaseModel):
    org: str
    domain: str = Field(max_length=253)


def request_public(
    request: LeRequest, now: float, requester: Requester | None = None
) -> dict[str, Any]:
    clock = request.clock
    body: dict[str, Any] = {
        "id": request.id,
        "type": request.type.value,
        "status": request.status.value,
        "verification": request.verification.value,
        "police": request.police_org,
        "platform": request.platform_org,
        "agency": request.agency,
        "officer": request.officer,
        "officer_email": request.officer_email,
        "badge": request.badge,
        "statute": request.basis.statute,
        "instrument": request.basis.instrument.value,
        "instrument_reference": request.basis.reference,
        "targets": [{"kind": t.kind.value, "value": t.value} for t in request.targets],
        "urgency": request.urgency.value,
        "case_number": request.case_number,
        "policy": request.policy.name,
        "submitted_at": request.submitted_at,
        "received_at": request.received_at,
        "due_at": request.due_at,
        "closed_at": request.closed_at,
        "overdue": bool(clock and clock.overdue(now)),
        "took_s": request.took,
        "attachment": None if request.attachment is None else request.attachment.filename,
        "preserve_until": request.preservation.expires_at if request.preservation else None,
        "responses": [response_public(r) for r in request.responses],
    }
    if requester is not None:
        body["requester_history"] = {"email": requester.email, "counts": requester.counts}
    return body


def response_public(response: LeResponse) -> dict[str, Any]:
    return {
        "at": response.at,
        "disposition": response.disposition.value,
        "records": [vars_of(x) for x in response.records],
        "withheld": [vars_of(x) for x in response.withheld],
        "reason": response.reason,
        "note": response.note,
    }


def vars_of(item: SuppliedRecord | WithheldItem) -> dict[str, str]:
    return {k: getattr(item, k) for k in item.__slots__}


def dashboard_public(board: LeDashboard, now: float) -> dict[str, Any]:
    return {
        "open": [request_public(r, now) for r in board.open],
        "platforms": [
            {
                "platform": p.platform,
                "answered": p.answered,
                "refused": p.refused,
                "late": p.late,
                "p50_s": p.p50_s,
                "p90_s": p.p90_s,
            }
            for p in board.platforms
        ],
    }
