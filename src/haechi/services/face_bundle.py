"""The face-matching services as one value for bootstrap, HTTP and CLI.

Enrolment (listing, withdrawal, expiry) always exists, so consent can be withdrawn and expired
templates deleted even when the face model is missing. Matching exists only with the model (the
`faces` extra) and the feature on; otherwise `unavailable` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from haechi.services.face_matching import FaceMatchService
from haechi.services.faces import FaceEnrolmentService


@dataclass(frozen=True, slots=True)
class FaceServices:
    enrolment: FaceEnrolmentService
    matching: FaceMatchService | None = None
    #: why face matching is off (None when it is on)
    unavailable: str | None = None

    @property
    def enabled(self) -> bool:
        return self.matching is not None

    def sweep_expired(self) -> int:
        return self.enrolment.sweep_expired()
