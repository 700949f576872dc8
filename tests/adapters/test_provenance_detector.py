"""Provenance signals on benign photos: C2PA manifests signed by a throwaway test CA (declaring AI
generation or not, intact or edited after signing), generator traces in EXIF/XMP/PNG metadata,
and the quiet case of a plain photo."""

from __future__ import annotations

from typing import Any

import pytest

from haechi.adapters.detectors.c2pa_manifest import read_manifest, reader_version
from haechi.adapters.detectors.metadata_traces import find_traces
from haechi.adapters.detectors.provenance import ProvenanceDetector
from haechi.services.ports_detectors import MediaInput, Signals
from tests.fixtures import images, provenance


@pytest.fixture(scope="module")
def detector() -> ProvenanceDetector:
    return ProvenanceDetector(manifest_reader=read_manifest, reader_version=reader_version())


def _scores(signals: Signals) -> dict[str, float]:
    return {s.name: s.value for s in signals}


def _detail(signals: Signals, name: str) -> dict[str, Any]:
    return dict(next(s.detail for s in signals if s.name == name))


def test_plain_photos_carry_no_manifest_and_no_trace(detector: ProvenanceDetector) -> None:
    for data in (images.png_bytes("astronaut"), images.jpeg_bytes("coffee")):
        found = detector.score(MediaInput("photo", data, ""))
        assert _scores(found) == {"c2pa_manifest": 0.0, "ai_metadata_trace": 0.0}


def test_manifest_declaring_ai_generation(detector: ProvenanceDetector) -> None:
    signed = provenance.c2pa_signed(
        images.jpeg_bytes("coffee"), source_type="trainedAlgorithmicMedia", generator="TestGen"
    )
    found = detector.score(MediaInput("photo", signed, ""))
    assert _scores(found) == {
        "c2pa_manifest": 1.0,
        "c2pa_ai_generated": 1.0,
        "c2pa_signature_valid": 1.0,
        "ai_metadata_trace": 0.0,
    }
    detail = _detail(found, "c2pa_manifest")
    assert detail["validation_state"] == "Valid"
    assert detail["signer_trusted"] is False  # a test CA is on no trust list
    assert "TestGen" in detail["claim_generator"]
    assert "haechi tests" in detail["signer"]
    ai = _detail(found, "c2pa_ai_generated")
    assert ai["ai_source_types"] == ["trainedAlgorithmicMedia"]


def test_composite_and_camera_manifests(detector: ProvenanceDetector) -> None:
    composite = provenance.c2pa_signed(
        images.png_bytes("chelsea"),
        source_type="compositeWithTrainedAlgorithmicMedia",
        mime="image/png",
    )
    found = _scores(detector.score(MediaInput("photo", composite, "")))
    assert found["c2pa_ai_generated"] == 1.0
    camera = provenance.c2pa_signed(images.jpeg_bytes("camera"), source_type="digitalCapture")
    found = _scores(detector.score(MediaInput("photo", camera, "")))
    assert (found["c2pa_manifest"], found["c2pa_ai_generated"]) == (1.0, 0.0)


def test_a_picture_edited_after_signing_fails_validation(detector: ProvenanceDetector) -> None:
    signed = bytearray(
        provenance.c2pa_signed(images.jpeg_bytes("coffee"), source_type="digitalCapture")
    )
    signed[-2000:-1000] = bytes(1000)  # pixels changed, manifest left as it was
    found = detector.score(MediaInput("photo", bytes(signed), ""))
    scores = _scores(found)
    assert scores["c2pa_manifest"] == 1.0
    assert scores["c2pa_signature_valid"] == 0.0
    assert _detail(found, "c2pa_manifest")["failures"]


def test_generator_traces_in_metadata(detector: ProvenanceDetector) -> None:
    cases = {
        "png:parameters": provenance.png_with_text(
            "astronaut", parameters="a portrait, Steps: 20, Sampler: Euler a, Model: sd_xl_base"
        ),
        "exif:Software": provenance.jpeg_with_software("coffee", "Midjourney v6"),
        "xmp:CreatorTool": provenance.jpeg_with_xmp(
            "chelsea",
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            '02/22-rdf-syntax-ns#"><rdf:Description xmp:CreatorTool="Adobe Firefly" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/"/></rdf:RDF></x:xmpmeta>',
        ),
    }
    for source, data in cases.items():
        found = detector.score(MediaInput("photo", data, ""))
        assert _scores(found)["ai_metadata_trace"] == 1.0, source
        traces = _detail(found, "ai_metadata_trace")["traces"]
        assert [t["source"] for t in traces] == [source]


def test_ordinary_software_is_not_a_trace() -> None:
    assert find_traces(provenance.jpeg_with_software("coffee", "Adobe Photoshop 25.0")) == []
    assert find_traces(provenance.png_with_text("camera", Comment="holiday")) == []
    assert find_traces(b"garbage") == []


def test_without_c2pa_the_detector_reads_traces_only() -> None:
    detector = ProvenanceDetector(manifest_reader=None)
    found = detector.score(MediaInput("photo", images.png_bytes("astronaut"), ""))
    assert _scores(found) == {"ai_metadata_trace": 0.0}
    assert "no C2PA reader" in detector.version
