"""Compare faces in already-reported content with consented enrolments, and audit every use.

This is deliberately not a face search. The only input is an item of a case (content reported to,
or matched by, an organisation), and it is compared only with the enrolments of the organisations
that can see that case, whose scope covers it (the whole organisation, or that one case). There is
no way in to hand in a face and look for it anywhere. Templates are decrypted in memory for one
comparison and dropped; nothing is decrypted when the item shows no face.

Each enrolment compared is an audit entry (`face.compare`: enrolment id, item, distance, threshold,
outcome), and each match another one (`face.match`). A match is a lead for a person to review,
never an identification or a reason to remove anything by itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from haechi.domain.faces import (
    MATCH_THRESHOLD,
    Embedding,
    Enrolment,
    distance,
    is_match,
    template_aad,
    unpack_embedding,
)
from haechi.services.audit import record_as
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_detectors import DetectorScore, MediaInput, Signals
from haechi.services.ports_faces import FaceModel, TemplateCipher

ACTOR = "system:face-match"
SIGNAL = "enrolled_face_match"


@dataclass(frozen=True, slots=True)
class Comparison:
    enrolment_id: int
    distance: float
    matched: bool


@dataclass(frozen=True, slots=True)
class FaceMatchReport:
    faces: int
    comparisons: tuple[Comparison, ...] = ()

    @property
    def matches(self) -> tuple[Comparison, ...]:
        return tuple(c for c in self.comparisons if c.matched)


class FaceMatchService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        model: FaceModel,
        cipher: TemplateCipher,
        threshold: float = MATCH_THRESHOLD,
    ) -> None:
        self._uow = uow_factory
        self._model = model
        self._cipher = cipher
        self.threshold = threshold

    @property
    def model(self) -> FaceModel:
        return self._model

    def match_item(self, image: bytes, *, case_id: int, item_ref: str) -> FaceMatchReport:
        """Faces in one item of case `case_id` against the enrolments that may see that case.
        The model runs only when there is an enrolment in scope (most items have none)."""
        with self._uow() as uow:
            orgs = _orgs_seeing(uow, case_id)
            if not uow.faces.usable(orgs, case_id, now=time.time()):
                return FaceMatchReport(0)
        faces = [f.embedding for f in self._model.faces(image)]
        if not faces:
            return FaceMatchReport(0)
        with self._uow() as uow:
            enrolments = uow.faces.usable(_orgs_seeing(uow, case_id), case_id, now=time.time())
            templates = self._open(uow, enrolments)
            results = []
            for enrolment in enrolments:
                best = min(
                    (distance(f, t) for f in faces for t in templates.get(enrolment.id, ())),
                    default=None,
                )
                if best is None:
                    continue
                result = Comparison(enrolment.id, best, is_match(best, self.threshold))
                self._audit(uow, enrolment, result, item_ref=item_ref, faces=len(faces))
                results.append(result)
        return FaceMatchReport(len(faces), tuple(results))

    def _open(self, uow: UnitOfWork, enrolments: list[Enrolment]) -> dict[int, list[Embedding]]:
        opened: dict[int, list[Embedding]] = {}
        for stored in uow.faces.templates([e.id for e in enrolments]):
            plain = self._cipher.open(stored.sealed, aad=template_aad(stored.enrolment_id))
            opened.setdefault(stored.enrolment_id, []).append(unpack_embedding(plain))
        return opened

    def _audit(
        self,
        uow: UnitOfWork,
        enrolment: Enrolment,
        result: Comparison,
        *,
        item_ref: str,
        faces: int,
    ) -> None:
        detail = {
            "item": item_ref,
            "distance": round(result.distance, 4),
            "threshold": self.threshold,
            "matched": result.matched,
            "faces_in_item": faces,
        }
        org, kind = enrolment.org_id, "face_enrolment"
        record_as(uow, ACTOR, org, "face.compare", kind, enrolment.id, **detail)
        if result.matched:
            record_as(uow, ACTOR, org, "face.match", kind, enrolment.id, **detail)


def _orgs_seeing(uow: UnitOfWork, case_id: int) -> list[int]:
    case = uow.cases.get_case_by_id(case_id)
    return [] if case is None else sorted({case.owner_org_id, *case.shared_with})


class EnrolledFaceDetector:
    """The face matcher as a detector for the detection jobs: signal `enrolled_face_match`,
    1.0 when a face in the item is within the threshold of an enrolment in scope, else 0.0.
    The detail names enrolment ids and the distance, never the victim's reference."""

    name = SIGNAL
    input_kinds = frozenset({"photo"})

    def __init__(self, matcher: FaceMatchService) -> None:
        self._matcher = matcher

    @property
    def version(self) -> str:
        return f"{self._matcher.model.version}/t{self._matcher.threshold}"

    def score(self, media: MediaInput) -> Signals:
        if media.case_id is None or media.content_type not in self.input_kinds:
            return ()  # no case, no scope: never compared with anything
        report = self._matcher.match_item(
            media.data, case_id=media.case_id, item_ref=media.item_ref
        )
        if not report.comparisons:
            return ()
        best = min(report.comparisons, key=lambda c: c.distance)
        detail = {
            "enrolments": [c.enrolment_id for c in report.matches],
            "distance": round(best.distance, 4),
            "threshold": self._matcher.threshold,
            "faces": report.faces,
            "compared": len(report.comparisons),
        }
        return (DetectorScore(SIGNAL, 1.0 if report.matches else 0.0, detail),)
