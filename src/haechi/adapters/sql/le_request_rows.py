"""Rows of law-enforcement requests to domain objects and back (used by the SQL store)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import aliased

from haechi.adapters.sql.tables_le_requests import LeRequestRow, LeResponseRow
from haechi.adapters.sql.tables_tenancy import OrganisationRow
from haechi.domain.le_requests import (
    CLOSED,
    Attachment,
    EmergencyBasis,
    Instrument,
    LegalBasis,
    Preservation,
    RequestType,
    Status,
    Target,
    TargetKind,
    Urgency,
    Verification,
)
from haechi.domain.le_responses import (
    Disposition,
    LeRequest,
    LeResponse,
    SuppliedRecord,
    Withheld,
)
from haechi.domain.sla import SlaPolicy
from haechi.services.ports_le import NewLeRequest

Police = aliased(OrganisationRow)
Platform = aliased(OrganisationRow)
OPEN = [s.value for s in Status if s not in CLOSED]


def _response(row: LeResponseRow) -> LeResponse:
    package = row.package
    return LeResponse(
        id=row.id,
        at=row.at,
        responder=row.responder,
        disposition=Disposition(row.disposition),
        records=tuple(SuppliedRecord(**r) for r in package.get("records", [])),
        withheld=tuple(Withheld(**w) for w in package.get("withheld", [])),
        reason=row.reason,
        note=row.note,
        attested=row.attested,
    )


def _attachment(row: LeRequestRow) -> Attachment | None:
    if row.attachment_key is None:
        return None
    return Attachment(
        row.attachment_key,
        row.attachment_name or "",
        row.attachment_type or "",
        row.attachment_size or 0,
    )


def request_of(row: LeRequestRow, police: str, platform: str) -> LeRequest:
    until = row.preserve_until
    return LeRequest(
        id=row.id,
        type=RequestType(row.type),
        police_org_id=row.police_org_id,
        police_org=police,
        platform_org_id=row.platform_org_id,
        platform_org=platform,
        agency=row.agency,
        officer=row.officer,
        officer_email=row.officer_email,
        badge=row.badge,
        basis=LegalBasis(row.statute, Instrument(row.instrument), row.instrument_ref),
        targets=tuple(Target(TargetKind(t["kind"]), t["value"]) for t in row.targets),
        urgency=Urgency(row.urgency),
        policy=SlaPolicy.from_dict(row.policy_spec, name=row.policy_name),
        status=Status(row.status),
        verification=Verification(row.verification),
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        due_at=row.due_at,
        closed_at=row.closed_at,
        date_from=date.fromisoformat(row.date_from) if row.date_from else None,
        date_to=date.fromisoformat(row.date_to) if row.date_to else None,
        case_id=row.case_id,
        case_number=row.case_number,
        note=row.note,
        emergency=EmergencyBasis(**row.emergency) if row.emergency else None,
        attachment=_attachment(row),
        preservation=None if until is None else Preservation(until, row.renewed_at),
        responses=tuple(_response(r) for r in row.responses),
    )


def row_of(new: NewLeRequest) -> LeRequestRow:
    d, att, keep = new.draft, new.attachment, new.preservation
    emergency = d.emergency
    return LeRequestRow(
        type=d.type.value,
        police_org_id=new.police_org_id,
        platform_org_id=new.platform_org_id,
        agency=d.agency,
        officer=d.officer,
        officer_email=d.officer_email,
        badge=d.badge,
        statute=d.basis.statute,
        instrument=d.basis.instrument.value,
        instrument_ref=d.basis.reference,
        targets=[{"kind": t.kind.value, "value": t.value} for t in d.targets],
        urgency=d.urgency.value,
        date_from=d.date_from.isoformat() if d.date_from else None,
        date_to=d.date_to.isoformat() if d.date_to else None,
        case_id=new.case_id,
        case_number=d.case_number,
        note=d.note,
        emergency=None
        if emergency is None
        else {"threat": emergency.threat, "supervisor": emergency.supervisor, "attested": True},
        policy_name=d.policy.name,
        policy_spec=d.policy.to_dict(),
        status=(Status.OPEN if new.verification is Verification.VERIFIED else Status.HELD).value,
        verification=new.verification.value,
        submitted_at=new.submitted_at,
        received_at=new.received_at,
        due_at=new.due_at,
        attachment_key=att.key if att else None,
        attachment_name=att.filename if att else None,
        attachment_type=att.content_type if att else None,
        attachment_size=att.size if att else None,
        preserve_until=keep.expires_at if keep else None,
    )
