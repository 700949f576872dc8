"""Consented victim face enrolments: the consent record, the rules on it, and what a match is.

A victim-support analyst enrols a victim's face only with her recorded consent: who recorded it,
when, how, for what purpose, until when (at most two years), optionally bound to the hash of the
signed consent document. haechi keeps 128-d face embeddings (encrypted at rest), never the photos.
An enrolment is compared only with content already reported to, or matched by, its organisation
(optionally only within one case). A match is a lead for human review: never an identification,
never a takedown on its own.

Distances are Euclidean between dlib ResNet embeddings; `MATCH_THRESHOLD` was chosen from the
measurement in docs/face-matching.md (tighter than dlib's customary 0.6).
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from haechi.domain.errors import InvalidInput
from haechi.domain.tenancy import OrgKind

EMBEDDING_DIM = 128
#: Euclidean distance at or below which a face is reported as a possible match
MATCH_THRESHOLD = 0.5
#: consent for matching is given for a limited time: at most two years from enrolment
MAX_CONSENT_S = 2 * 366 * 24 * 3600
MIN_CONSENT_S = 24 * 3600
MAX_PHOTOS = 10
#: only victim-support organisations enrol faces (an admin of a platform may not)
ENROLLING_ORG_KINDS = frozenset({OrgKind.VICTIM_SUPPORT})

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PACK = struct.Struct(f"<{EMBEDDING_DIM}f")

Embedding = tuple[float, ...]


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ConsentMethod(StrEnum):
    #: signed on paper in the centre (the scan's SHA-256 may be recorded)
    SIGNED_FORM = "signed_form"
    #: signed electronically
    ELECTRONIC = "electronic"
    #: given orally in person, recorded by the analyst with a witness
    VERBAL_WITNESSED = "verbal_witnessed"


class ScopeKind(StrEnum):
    #: compared with content reported to, or matched by, the enrolling organisation
    ORGANISATION = "organisation"
    #: compared only with the items of one case
    CASE = "case"


@dataclass(frozen=True, slots=True)
class Consent:
    recorded_by: str
    recorded_at: float
    method: ConsentMethod
    purpose: str
    expires_at: float
    #: SHA-256 (hex) of the consent document, when there is one
    document_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: int
    org_id: int
    #: the centre's own reference for the victim (a file number): never her name
    subject_ref: str
    case_id: int | None
    consent: Consent
    status: EnrolmentStatus
    created_at: float
    created_by: str
    template_count: int
    withdrawn_at: float | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def scope(self) -> ScopeKind:
        return ScopeKind.CASE if self.case_id is not None else ScopeKind.ORGANISATION

    def usable(self, now: float) -> bool:
        return self.status is EnrolmentStatus.ACTIVE and self.consent.expires_at > now


@dataclass(frozen=True, slots=True)
class ConsentDraft:
    """What the analyst submits with the photos."""

    subject_ref: str
    method: str
    purpose: str
    expires_at: float
    case_number: str | None = None
    document_sha256: str | None = None


def check_consent(draft: ConsentDraft, *, now: float) -> ConsentDraft:
    """Refuse an enrolment whose consent record is incomplete; return it normalised."""
    subject = draft.subject_ref.strip()
    if not 1 <= len(subject) <= 100:
        raise InvalidInput("subject_ref (the centre's reference for the victim) is required")
    try:
        method = ConsentMethod(draft.method)
    except ValueError:
        raise InvalidInput(
            f"consent method must be one of {[m.value for m in ConsentMethod]}"
        ) from None
    purpose = draft.purpose.strip()
    if len(purpose) < 10 or len(purpose) > 2000:
        raise InvalidInput("purpose must say what the enrolment is for (10-2000 characters)")
    if not math.isfinite(draft.expires_at) or draft.expires_at < now + MIN_CONSENT_S:
        raise InvalidInput("consent expiry must be at least one day from now")
    if draft.expires_at > now + MAX_CONSENT_S:
        raise InvalidInput("consent expiry may be at most two years from now")
    digest = (draft.document_sha256 or "").strip().lower() or None
    if digest is not None and not _SHA256.match(digest):
        raise InvalidInput("consent document hash must be a SHA-256 in hex")
    if method is not ConsentMethod.VERBAL_WITNESSED and digest is None:
        raise InvalidInput("a signed consent needs its document (or the document's SHA-256)")
    number = (draft.case_number or "").strip() or None
    return ConsentDraft(subject, method.value, purpose, draft.expires_at, number, digest)


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b):
        raise ValueError("embeddings of different dimensions")
    return math.sqrt(sum((x - y) * (x - y) for x, y in zip(a, b, strict=True)))


def is_match(value: float, threshold: float = MATCH_THRESHOLD) -> bool:
    return value <= threshold


def pack_embedding(embedding: Sequence[float]) -> bytes:
    """Little-endian float32, 512 bytes (float32 keeps distances to ~1e-7)."""
    if len(embedding) != EMBEDDING_DIM:
        raise ValueError(f"a face embedding has {EMBEDDING_DIM} values")
    return _PACK.pack(*embedding)


def unpack_embedding(data: bytes) -> Embedding:
    if len(data) != _PACK.size:
        raise ValueError("not a packed face embedding")
    return tuple(_PACK.unpack(data))


def template_aad(enrolment_id: int) -> bytes:
    """Associated data binding a template's ciphertext to its enrolment (a row moved is refused)."""
    return f"haechi/face-template/v1/enrolment:{enrolment_id}".encode()
