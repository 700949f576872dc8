"""The measurement behind the face-match threshold (docs/face-matching.md), as tests: the
enrolled astronaut is found in resized, recompressed, cropped, rotated and pasted copies, and no
other face available offline comes within the threshold. The numbers are measured here, on every
run, through the same detector and embedding code the service uses."""

from __future__ import annotations

import pytest

from haechi.domain.faces import MATCH_THRESHOLD

pytest.importorskip("dlib", reason="needs the faces extra")

from haechi.adapters.faces.dlib_model import DlibFaceModel
from tests.fixtures.face_eval import evaluate


@pytest.fixture(scope="module")
def model() -> DlibFaceModel:
    return DlibFaceModel()


def test_every_copy_of_the_enrolled_face_matches_and_a_sample_of_others_does_not(
    model: DlibFaceModel,
) -> None:
    result = evaluate(model, lfw=range(0, 100, 10))
    assert result.missed == []
    assert {n: d for n, d in result.genuine.items() if d > MATCH_THRESHOLD} == {}
    assert max(result.genuine.values()) < 0.4  # the measured margin, not just the threshold
    assert len(result.impostors) >= 8
    assert result.false_matches(MATCH_THRESHOLD) == 0
    assert min(result.impostors.values()) > MATCH_THRESHOLD + 0.05


@pytest.mark.slow
def test_no_false_match_among_all_available_faces(model: DlibFaceModel) -> None:
    result = evaluate(model)
    assert result.lfw_undetected <= 10
    assert result.impostor_pairs() >= 90
    assert result.false_matches(MATCH_THRESHOLD) == 0
    assert max(result.genuine.values()) < MATCH_THRESHOLD < min(result.impostors.values())
