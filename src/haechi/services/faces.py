"""Enrol a consenting victim's face, list enrolments, withdraw them, and let consent expire.

The analyst's photos are decoded and embedded in memory and then dropped: only the embeddings are
kept, sealed with AES-GCM under the instance's template key and bound to the enrolment id. Every
photo must show exactly one clear face, and the photos must agree with each other (otherwise the
enrolment could carry someone else's face). Withdrawal and expiry hard-delete the sealed templates
in the same transaction that records them; every step is in the audit chain, which names the
enrolment id and never the embedding or the victim's reference.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

from haechi.domain.errors import Forbidden, InvalidInput, NotFound, NotReady, UnsupportedMedia
from haechi.domain.faces import (
    ENROLLING_ORG_KINDS,
    MAX_PHOTOS,
    Consent,
    ConsentDraft,
    ConsentMethod,
    Embedding,
    Enrolment,
    EnrolmentStatus,
    check_consent,
    distance,
    pack_embedding,
    template_aad,
)
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record, record_as
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_faces import FaceModel, NewEnrolment, TemplateCipher

#: detections weaker than this are ignored when counting faces in an enrolment photo
ENROL_MIN_DETECTOR_SCORE = 0.5
#: a face narrower than this (pixels) gives a poor template
ENROL_MIN_FACE_PX = 60
#: photos of one enrolment further apart than this are not taken as the same person
ENROL_MAX_SPREAD = 0.6
_SWEEP_BATCH = 200


@dataclass(frozen=True, slots=True)
class Photo:
    data: bytes
    name: str = ""


class FaceEnrolmentService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        model: FaceModel | None,
        cipher: TemplateCipher,
        unavailable: str = "",
    ) -> None:
        """Without a model (extra missing, feature off) enrolment is refused with `unavailable`;
        listing, withdrawal and expiry still work, so consent can always be withdrawn."""
        self._uow = uow_factory
        self._model = model
        self._cipher = cipher
        self.unavailable = unavailable

    @property
    def can_enrol(self) -> bool:
        return self._model is not None

    def enrol(
        self,
        principal: Principal,
        draft: ConsentDraft,
        photos: Sequence[Photo],
        *,
        consent_document: bytes | None = None,
    ) -> Enrolment:
        _require(principal)
        if self._model is None:
            raise NotReady(f"face enrolment is not available here: {self.unavailable}")
        now = time.time()
        draft = check_consent(_with_document(draft, consent_document), now=now)
        embeddings = self._embed(photos)
        with self._uow() as uow:
            case_id = _case_id(uow, principal, draft.case_number)
            consent = Consent(
                recorded_by=principal.actor,
                recorded_at=now,
                method=ConsentMethod(draft.method),
                purpose=draft.purpose,
                expires_at=draft.expires_at,
                document_sha256=draft.document_sha256,
            )
            new = NewEnrolment(
                principal.org_id, draft.subject_ref, case_id, consent, now, principal.actor
            )
            enrolment = uow.faces.add_enrolment(new)
            aad = template_aad(enrolment.id)
            sealed = [self._cipher.seal(pack_embedding(e), aad=aad) for e in embeddings]
            uow.faces.add_templates(enrolment.id, sealed, now=now)
            record(
                uow, principal, "face.enrol", "face_enrolment", enrolment.id,
                photos=len(photos), templates=len(sealed), scope=enrolment.scope.value,
                case=draft.case_number, method=draft.method, expires_at=draft.expires_at,
                consent_document=draft.document_sha256, key_id=self._cipher.key_id,
            )  # fmt: skip
            found = uow.faces.get(enrolment.id)
        assert found is not None
        return found

    def _embed(self, photos: Sequence[Photo]) -> list[Embedding]:
        if not 1 <= len(photos) <= MAX_PHOTOS:
            raise InvalidInput(f"send 1 to {MAX_PHOTOS} photos of the victim's face")
        embeddings = [self._one_face(n, p) for n, p in enumerate(photos, start=1)]
        for (i, a), (j, b) in itertools.combinations(enumerate(embeddings, start=1), 2):
            if distance(a, b) > ENROL_MAX_SPREAD:
                raise InvalidInput(
                    f"photos {i} and {j} do not look like the same person; enrol only her face"
                )
        return embeddings

    def _one_face(self, number: int, photo: Photo) -> Embedding:
        assert self._model is not None
        label = f"photo {number}" + (f" ({photo.name})" if photo.name else "")
        try:
            found = self._model.faces(photo.data)
        except UnsupportedMedia as e:
            raise UnsupportedMedia(f"{label}: {e.message}") from None
        faces = [f for f in found if f.detector_score >= ENROL_MIN_DETECTOR_SCORE]
        if not faces:
            raise InvalidInput(f"{label}: no clear face found; use a frontal, well-lit photo")
        if len(faces) > 1:
            raise InvalidInput(f"{label}: {len(faces)} faces found; crop it to her face alone")
        if faces[0].width < ENROL_MIN_FACE_PX:
            raise InvalidInput(f"{label}: the face is too small; use a larger or closer photo")
        return faces[0].embedding

    def enrolments(self, principal: Principal, *, active_only: bool = False) -> list[Enrolment]:
        _require(principal)
        with self._uow() as uow:
            return uow.faces.list_for_org(principal.org_id, active_only=active_only)

    def get(self, principal: Principal, enrolment_id: int) -> Enrolment:
        _require(principal)
        with self._uow() as uow:
            return _own(uow, principal, enrolment_id)

    def withdraw(self, principal: Principal, enrolment_id: int, *, reason: str = "") -> Enrolment:
        """On the victim's request (or the analyst's decision): templates deleted at once."""
        _require(principal)
        reason = reason.strip()[:200] or "withdrawn on the victim's request"
        with self._uow() as uow:
            enrolment = _own(uow, principal, enrolment_id, for_update=True)
            if enrolment.status is not EnrolmentStatus.ACTIVE:
                return enrolment
            now = time.time()
            deleted = uow.faces.end(
                enrolment.id, EnrolmentStatus.WITHDRAWN, now=now, by=principal.actor, reason=reason
            )
            record(
                uow, principal, "face.withdraw", "face_enrolment", enrolment.id,
                templates_deleted=deleted, reason=reason,
            )  # fmt: skip
            found = uow.faces.get(enrolment.id)
        assert found is not None
        return found

    def sweep_expired(self, *, now: float | None = None) -> int:
        """End every enrolment whose consent expired, deleting its templates; returns how many."""
        now = time.time() if now is None else now
        ended = 0
        while True:
            with self._uow() as uow:
                due = uow.faces.expired(now=now, limit=_SWEEP_BATCH)
                for enrolment in due:
                    deleted = uow.faces.end(
                        enrolment.id, EnrolmentStatus.EXPIRED, now=now, by="system", reason=None
                    )
                    record_as(
                        uow, "system:face-expiry", enrolment.org_id, "face.expire",
                        "face_enrolment", enrolment.id, templates_deleted=deleted,
                        expired_at=enrolment.consent.expires_at,
                    )  # fmt: skip
            ended += len(due)
            if len(due) < _SWEEP_BATCH:
                return ended

    def rekey(self, *, batch: int = 500) -> int:
        """Re-seal every template under the current key (after rotating it). Returns how many."""
        changed, after = 0, 0
        while True:
            with self._uow() as uow:
                page = uow.faces.all_templates(after_id=after, limit=batch)
                for stored in page:
                    if stored.sealed.key_id == self._cipher.key_id:
                        continue
                    aad = template_aad(stored.enrolment_id)
                    plain = self._cipher.open(stored.sealed, aad=aad)
                    uow.faces.replace_template(stored.id, self._cipher.seal(plain, aad=aad))
                    changed += 1
                if page:
                    after = page[-1].id
                    record_as(
                        uow, "system:face-rekey", None, "face.rekey", "face_template", after,
                        key_id=self._cipher.key_id, templates=len(page),
                    )  # fmt: skip
            if len(page) < batch:
                return changed


def end_for_victim_withdrawal(uow: UnitOfWork, case_id: int) -> int:
    """The victim withdrew her report with its case number and PIN: enrolments scoped to that
    case end in the same transaction, templates deleted. Returns how many ended."""
    now = time.time()
    ended = uow.faces.for_case(case_id)
    for enrolment in ended:
        deleted = uow.faces.end(
            enrolment.id,
            EnrolmentStatus.WITHDRAWN,
            now=now,
            by="reporter",
            reason="the victim withdrew her report",
        )
        record_as(
            uow, "reporter", enrolment.org_id, "face.withdraw", "face_enrolment", enrolment.id,
            templates_deleted=deleted, reason="report withdrawn with case number and PIN",
        )  # fmt: skip
    return len(ended)


def _require(principal: Principal) -> None:
    principal.require(Permission.FACES_ENROL)
    if principal.org_kind not in ENROLLING_ORG_KINDS:
        raise Forbidden("only victim-support organisations enrol victims' faces")


def _own(
    uow: UnitOfWork, principal: Principal, enrolment_id: int, *, for_update: bool = False
) -> Enrolment:
    enrolment = uow.faces.get(enrolment_id, for_update=for_update)
    if enrolment is None or enrolment.org_id != principal.org_id:
        raise NotFound(f"no face enrolment {enrolment_id} in your organisation")
    return enrolment


def _case_id(uow: UnitOfWork, principal: Principal, number: str | None) -> int | None:
    if number is None:
        return None
    case = uow.cases.get_case(number)
    if case is None or not case.visible_to(principal.org_id):
        raise NotFound(f"no case {number} in your organisation")
    return case.id


def _with_document(draft: ConsentDraft, document: bytes | None) -> ConsentDraft:
    """The consent document itself is hashed and dropped (only its SHA-256 is recorded)."""
    if not document:
        return draft
    digest = hashlib.sha256(document).hexdigest()
    given = (draft.document_sha256 or "").strip().lower()
    if given and given != digest:
        raise InvalidInput("the consent document does not match the hash given for it")
    return ConsentDraft(
        draft.subject_ref, draft.method, draft.purpose, draft.expires_at, draft.case_number, digest
    )
