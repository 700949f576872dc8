"""Tables for consented face enrolments (issue 7).

`face_enrolment` is the consent record; it outlives withdrawal and expiry (status changes, the
record stays, so the audit trail can name it). `face_template` holds only AES-GCM ciphertexts of
embeddings, bound to their enrolment by associated data; rows are hard-deleted the moment the
enrolment is withdrawn or expires. No photo is stored anywhere.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class FaceEnrolmentRow(Base):
    __tablename__ = "face_enrolment"
    __table_args__ = (
        Index("ix_face_enrolment_org_status", "org_id", "status"),
        Index("ix_face_enrolment_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    subject_ref: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    consent_recorded_by: Mapped[str] = mapped_column(String(100))
    consent_recorded_at: Mapped[float] = mapped_column(Float)
    consent_method: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(Text)
    consent_document_sha256: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    template_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[float | None] = mapped_column(Float)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(200))


class FaceTemplateRow(Base):
    __tablename__ = "face_template"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("face_enrolment.id", ondelete="CASCADE"), index=True
    )
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)
