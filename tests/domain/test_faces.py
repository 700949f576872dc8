"""The consent rules and the embedding helpers of face enrolment (pure domain)."""

from __future__ import annotations

import pytest

from haechi.domain.errors import InvalidInput
from haechi.domain.faces import (
    EMBEDDING_DIM,
    MATCH_THRESHOLD,
    ConsentDraft,
    check_consent,
    distance,
    is_match,
    pack_embedding,
    template_aad,
    unpack_embedding,
)

NOW = 1_800_000_000.0
DAY = 86400.0


def draft(**overrides: object) -> ConsentDraft:
    values: dict[str, object] = {
        "subject_ref": " HB-1 ",
        "method": "verbal_witnessed",
        "purpose": "  Find copies of her deepfakes in reports.  ",
        "expires_at": NOW + 90 * DAY,
    }
    values.update(overrides)
    return ConsentDraft(**values)  # type: ignore[arg-type]


def test_a_complete_consent_is_normalised() -> None:
    checked = check_consent(draft(case_number=" ", document_sha256="AB" * 32), now=NOW)
    assert checked.subject_ref == "HB-1" and checked.purpose.startswith("Find")
    assert checked.case_number is None and checked.document_sha256 == "ab" * 32


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject_ref": " "}, "subject_ref"),
        ({"subject_ref": "x" * 101}, "subject_ref"),
        ({"method": "implied"}, "consent method"),
        ({"purpose": "short"}, "purpose"),
        ({"expires_at": NOW + 3600}, "at least one day"),
        ({"expires_at": NOW + 800 * DAY}, "at most two years"),
        ({"expires_at": float("nan")}, "at least one day"),
        ({"document_sha256": "not-a-hash"}, "SHA-256"),
        ({"method": "signed_form"}, "needs its document"),
        ({"method": "electronic"}, "needs its document"),
    ],
)
def test_incomplete_consent_is_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_consent(draft(**overrides), now=NOW)


def test_two_years_is_the_longest_consent() -> None:
    assert check_consent(draft(expires_at=NOW + 730 * DAY), now=NOW).expires_at > NOW


def test_packing_round_trips_within_float32_and_checks_sizes() -> None:
    vector = tuple((i % 7 - 3) / 10 for i in range(EMBEDDING_DIM))
    packed = pack_embedding(vector)
    assert len(packed) == 512
    assert distance(unpack_embedding(packed), vector) < 1e-6
    with pytest.raises(ValueError):
        pack_embedding(vector[:-1])
    with pytest.raises(ValueError):
        unpack_embedding(packed[:-4])


def test_distance_and_threshold() -> None:
    a, b = (0.0,) * EMBEDDING_DIM, (0.0,) * (EMBEDDING_DIM - 1) + (MATCH_THRESHOLD,)
    assert distance(a, b) == pytest.approx(MATCH_THRESHOLD)
    assert is_match(distance(a, b)) and not is_match(MATCH_THRESHOLD + 1e-6)
    with pytest.raises(ValueError):
        distance(a, a[:-1])


def test_associated_data_names_the_enrolment() -> None:
    assert template_aad(7) != template_aad(70) and b"enrolment:7" in template_aad(7)
