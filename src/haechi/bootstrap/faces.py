"""Builds consented face matching (issue 7): the dlib model, the template cipher and its key, the
services, and the detector that the detection jobs run.

Without the `faces` extra (or with HAECHI_FACE_MATCHING=false) there is no matching and enrolment
answers 503 with the reason; listing, withdrawal and expiry still work, the detector registry lists
the detector as unavailable, and the rest of the instance runs as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from haechi.adapters.faces.cipher import AesGcmTemplateCipher, file_key, parse_key
from haechi.adapters.hashers.decode import DecodeLimits
from haechi.config import Settings
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.face_bundle import FaceServices
from haechi.services.face_matching import SIGNAL, EnrolledFaceDetector, FaceMatchService
from haechi.services.faces import FaceEnrolmentService, end_for_victim_withdrawal
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_detectors import DetectorUnavailable
from haechi.services.ports_faces import FaceModel

log = logging.getLogger(__name__)

#: handed to the reporter service: a victim's withdrawal (case number + PIN) ends her enrolments
faces_withdrawn = end_for_victim_withdrawal


def template_cipher(settings: Settings) -> AesGcmTemplateCipher:
    """The configured key (production requires it), else the development key file under var/."""
    key: bytes | Callable[[], bytes]
    if settings.face_template_key:
        key = parse_key(settings.face_template_key)
    else:
        path = settings.face_template_key_path
        key = lambda: file_key(path)  # noqa: E731 - created on first use only
    previous = [parse_key(k) for k in settings.face_template_previous_keys]
    return AesGcmTemplateCipher(key, previous=previous)


def build_faces(
    settings: Settings, uow: UnitOfWorkFactory, detectors: DetectorRegistry | None = None
) -> FaceServices:
    """The face services; with `detectors`, `enrolled_face_match` is registered there too."""
    faces = _build(settings, uow)
    if detectors is not None:
        register_face_detector(detectors, faces)
    return faces


def _build(settings: Settings, uow: UnitOfWorkFactory) -> FaceServices:
    cipher = template_cipher(settings)
    reason = _model_or_reason(settings)
    if isinstance(reason, str):
        log.warning("face matching is off: %s", reason)
        enrolment = FaceEnrolmentService(
            uow_factory=uow, model=None, cipher=cipher, unavailable=reason
        )
        return FaceServices(enrolment=enrolment, unavailable=reason)
    return FaceServices(
        enrolment=FaceEnrolmentService(uow_factory=uow, model=reason, cipher=cipher),
        matching=FaceMatchService(
            uow_factory=uow, model=reason, cipher=cipher, threshold=settings.face_match_threshold
        ),
    )


def _model_or_reason(settings: Settings) -> FaceModel | str:
    if not settings.face_matching:
        return "turned off (HAECHI_FACE_MATCHING=false)"
    try:
        from haechi.adapters.faces.dlib_model import DlibFaceModel

        limits = DecodeLimits(
            max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
        )
        return DlibFaceModel(limits=limits)
    except DetectorUnavailable as exc:
        return str(exc)


def register_face_detector(registry: DetectorRegistry, faces: FaceServices) -> None:
    """Put `enrolled_face_match` among the detectors the detection jobs run (or say why not)."""
    if faces.matching is None:
        registry.unavailable(SIGNAL, faces.unavailable or "not built")
        return
    registry.register(EnrolledFaceDetector(faces.matching))
