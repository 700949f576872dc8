"""SQL store for consented face enrolments and their sealed templates (issue 7). Never commits.

Ending an enrolment (withdrawal, expiry) deletes its template rows with a bulk DELETE in the same
transaction as the status change: once it commits, no ciphertext of that face is left in the
database.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_faces import FaceEnrolmentRow, FaceTemplateRow
from haechi.domain.faces import Consent, ConsentMethod, Enrolment, EnrolmentStatus
from haechi.services.ports_faces import NewEnrolment, SealedTemplate, StoredTemplate

_ACTIVE = EnrolmentStatus.ACTIVE.value


def _enrolment(row: FaceEnrolmentRow) -> Enrolment:
    return Enrolment(
        id=row.id,
        org_id=row.org_id,
        subject_ref=row.subject_ref,
        case_id=row.case_id,
        consent=Consent(
            recorded_by=row.consent_recorded_by,
            recorded_at=row.consent_recorded_at,
            method=ConsentMethod(row.consent_method),
            purpose=row.purpose,
            expires_at=row.expires_at,
            document_sha256=row.consent_document_sha256,
        ),
        status=EnrolmentStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        template_count=row.template_count,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        withdrawal_reason=row.withdrawal_reason,
    )


def _template(row: FaceTemplateRow) -> StoredTemplate:
    sealed = SealedTemplate(ciphertext=row.ciphertext, nonce=row.nonce, key_id=row.key_id)
    return StoredTemplate(row.id, row.enrolment_id, sealed, row.created_at)


class SqlFaceStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add_enrolment(self, new: NewEnrolment) -> Enrolment:
        consent = new.consent
        row = FaceEnrolmentRow(
            org_id=new.org_id,
            subject_ref=new.subject_ref,
            case_id=new.case_id,
            consent_recorded_by=consent.recorded_by,
            consent_recorded_at=consent.recorded_at,
            consent_method=consent.method.value,
            purpose=consent.purpose,
            consent_document_sha256=consent.document_sha256,
            expires_at=consent.expires_at,
            status=_ACTIVE,
            template_count=0,
            created_at=new.created_at,
            created_by=new.created_by,
        )
        self._s.add(row)
        self._s.flush()
        return _enrolment(row)

    def add_templates(
        self, enrolment_id: int, sealed: Sequence[SealedTemplate], *, now: float
    ) -> None:
        row = self._s.get(FaceEnrolmentRow, enrolment_id)
        assert row is not None
        for one in sealed:
            self._s.add(
                FaceTemplateRow(
                    enrolment_id=enrolment_id,
                    ciphertext=one.ciphertext,
                    nonce=one.nonce,
                    key_id=one.key_id,
                    created_at=now,
                )
            )
        row.template_count += len(sealed)
        self._s.flush()

    def get(self, enrolment_id: int, *, for_update: bool = False) -> Enrolment | None:
        stmt = select(FaceEnrolmentRow).where(FaceEnrolmentRow.id == enrolment_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self._s.scalars(stmt).first()
        return None if row is None else _enrolment(row)

    def list_for_org(self, org_id: int, *, active_only: bool = False) -> list[Enrolment]:
        stmt = select(FaceEnrolmentRow).where(FaceEnrolmentRow.org_id == org_id)
        if active_only:
            stmt = stmt.where(FaceEnrolmentRow.status == _ACTIVE)
        return [_enrolment(r) for r in self._s.scalars(stmt.order_by(FaceEnrolmentRow.id.desc()))]

    def for_case(self, case_id: int) -> list[Enrolment]:
        stmt = select(FaceEnrolmentRow).where(
            FaceEnrolmentRow.case_id == case_id, FaceEnrolmentRow.status == _ACTIVE
        )
        return [_enrolment(r) for r in self._s.scalars(stmt.order_by(FaceEnrolmentRow.id))]

    def usable(self, org_ids: Sequence[int], case_id: int, *, now: float) -> list[Enrolment]:
        if not org_ids:
            return []
        scope = or_(FaceEnrolmentRow.case_id.is_(None), FaceEnrolmentRow.case_id == case_id)
        stmt = select(FaceEnrolmentRow).where(
            FaceEnrolmentRow.org_id.in_(list(org_ids)),
            FaceEnrolmentRow.status == _ACTIVE,
            FaceEnrolmentRow.expires_at > now,
            scope,
        )
        return [_enrolment(r) for r in self._s.scalars(stmt.order_by(FaceEnrolmentRow.id))]

    def templates(self, enrolment_ids: Sequence[int]) -> list[StoredTemplate]:
        if not enrolment_ids:
            return []
        stmt = (
            select(FaceTemplateRow)
            .where(FaceTemplateRow.enrolment_id.in_(list(enrolment_ids)))
            .order_by(FaceTemplateRow.id)
        )
        return [_template(r) for r in self._s.scalars(stmt)]

    def all_templates(self, *, after_id: int, limit: int) -> list[StoredTemplate]:
        stmt = (
            select(FaceTemplateRow)
            .where(FaceTemplateRow.id > after_id)
            .order_by(FaceTemplateRow.id)
            .limit(limit)
        )
        return [_template(r) for r in self._s.scalars(stmt)]

    def replace_template(self, template_id: int, sealed: SealedTemplate) -> None:
        row = self._s.get(FaceTemplateRow, template_id)
        assert row is not None
        row.ciphertext, row.nonce, row.key_id = sealed.ciphertext, sealed.nonce, sealed.key_id
        self._s.flush()

    def end(
        self, enrolment_id: int, status: str, *, now: float, by: str, reason: str | None
    ) -> int:
        row = self._s.get(FaceEnrolmentRow, enrolment_id)
        assert row is not None
        result = self._s.execute(
            delete(FaceTemplateRow).where(FaceTemplateRow.enrolment_id == enrolment_id)
        )
        row.status = EnrolmentStatus(status).value
        row.template_count = 0
        row.withdrawn_at, row.withdrawn_by, row.withdrawal_reason = now, by, reason
        self._s.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    def expired(self, *, now: float, limit: int) -> list[Enrolment]:
        stmt = (
            select(FaceEnrolmentRow)
            .where(FaceEnrolmentRow.status == _ACTIVE, FaceEnrolmentRow.expires_at <= now)
            .order_by(FaceEnrolmentRow.expires_at)
            .limit(limit)
        )
        return [_enrolment(r) for r in self._s.scalars(stmt)]

    def count_templates(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(FaceTemplateRow)) or 0)
