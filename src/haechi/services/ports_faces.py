"""Ports for consented face enrolment and matching (issue 7): the face model, the template
cipher and the store. The face model sees photos in memory only; nothing here stores a photo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from haechi.domain.faces import Consent, Embedding, Enrolment


@dataclass(frozen=True, slots=True)
class FoundFace:
    """One face in a photo: where, how sure the detector was, and its embedding."""

    left: int
    top: int
    width: int
    height: int
    detector_score: float
    embedding: Embedding


class FaceModel(Protocol):
    """Detects faces and computes their embeddings. Loaded once; safe to call from threads."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def faces(self, image: bytes) -> list[FoundFace]:
        """Every face found (raises UnsupportedMedia for bytes that are not an image)."""


@dataclass(frozen=True, slots=True)
class SealedTemplate:
    ciphertext: bytes
    nonce: bytes
    key_id: str


class TemplateCipher(Protocol):
    """Authenticated encryption of embeddings, bound to their enrolment by associated data."""

    @property
    def key_id(self) -> str: ...

    def seal(self, plaintext: bytes, *, aad: bytes) -> SealedTemplate: ...

    def open(self, sealed: SealedTemplate, *, aad: bytes) -> bytes:
        """Raises ValueError when the key is unknown or the ciphertext was altered or moved."""


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    id: int
    enrolment_id: int
    sealed: SealedTemplate
    created_at: float


@dataclass(frozen=True, slots=True)
class NewEnrolment:
    org_id: int
    subject_ref: str
    case_id: int | None
    consent: Consent
    created_at: float
    created_by: str


class FaceStore(Protocol):
    """Enrolments and their sealed templates. Never commits."""

    def add_enrolment(self, new: NewEnrolment) -> Enrolment: ...

    def add_templates(
        self, enrolment_id: int, sealed: Sequence[SealedTemplate], *, now: float
    ) -> None: ...

    def get(self, enrolment_id: int, *, for_update: bool = False) -> Enrolment | None: ...

    def list_for_org(self, org_id: int, *, active_only: bool = False) -> list[Enrolment]: ...

    def for_case(self, case_id: int) -> list[Enrolment]:
        """Active enrolments scoped to the case."""

    def usable(self, org_ids: Sequence[int], case_id: int, *, now: float) -> list[Enrolment]:
        """Active, unexpired enrolments of these organisations whose scope covers the case."""

    def templates(self, enrolment_ids: Sequence[int]) -> list[StoredTemplate]: ...

    def all_templates(self, *, after_id: int, limit: int) -> list[StoredTemplate]:
        """Every stored template in id order (for re-encryption under a new key)."""

    def replace_template(self, template_id: int, sealed: SealedTemplate) -> None: ...

    def end(
        self, enrolment_id: int, status: str, *, now: float, by: str, reason: str | None
    ) -> int:
        """Mark the enrolment withdrawn/expired and hard-delete its templates; returns how many."""

    def expired(self, *, now: float, limit: int) -> list[Enrolment]:
        """Active enrolments whose consent expired by `now`."""

    def count_templates(self) -> int: ...
