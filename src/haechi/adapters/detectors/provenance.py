"""Provenance signals: a C2PA manifest declaring AI generation, and generator traces in metadata.

Signals (each 1.0 or 0.0):
- `c2pa_manifest`: the file carries a C2PA manifest store.
- `c2pa_ai_generated`: a manifest action declares IPTC `trainedAlgorithmicMedia` or
  `compositeWithTrainedAlgorithmicMedia`. Reported only when a manifest is present.
- `c2pa_signature_valid`: the manifest's signature and hashes check out (the signer may still be
  unknown: see `detail.signer_trusted`). Reported only when a manifest is present.
- `ai_metadata_trace`: EXIF/XMP/PNG metadata names an image generator or says "AI generated".

None of these proves a picture is or is not a deepfake. Most face-swap tools leave neither manifest
nor trace, and messengers strip both; metadata is trivially forged. They tell a reviewer where a
file says it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from haechi.adapters.detectors.c2pa_manifest import ManifestFindings
from haechi.adapters.detectors.metadata_traces import find_traces
from haechi.services.ports_detectors import DetectorScore, MediaInput, Signals

__all__ = ["ProvenanceDetector"]

TRACES_VERSION = "traces-1"
ManifestReader = Callable[[bytes], ManifestFindings]


class ProvenanceDetector:
    name = "provenance"
    input_kinds = frozenset({"photo", "video"})

    def __init__(self, *, manifest_reader: ManifestReader | None, reader_version: str = "") -> None:
        """`manifest_reader` is None when c2pa-python is not installed: traces only."""
        self._read = manifest_reader
        self.version = f"{reader_version or 'no C2PA reader'} + {TRACES_VERSION}"

    def score(self, media: MediaInput) -> Signals:
        out: list[DetectorScore] = []
        if self._read is not None:
            out.extend(_manifest_signals(self._read(media.data)))
        if media.content_type == "photo":
            traces = find_traces(media.data)
            detail = {"traces": [asdict(t) for t in traces]} if traces else {}
            out.append(DetectorScore("ai_metadata_trace", 1.0 if traces else 0.0, detail))
        return tuple(out)


def _manifest_signals(found: ManifestFindings) -> list[DetectorScore]:
    if not found.present:
        return [DetectorScore("c2pa_manifest", 0.0)]
    detail = {
        "validation_state": found.validation_state,
        "failures": list(found.failures),
        "signer": found.signer,
        "signer_trusted": found.signer_trusted,
        "claim_generator": found.claim_generator,
        "actions": list(found.actions),
    }
    if found.error:
        detail["error"] = found.error
    ai = {"ai_source_types": list(found.ai_source_types), "claim_generator": found.claim_generator}
    return [
        DetectorScore("c2pa_manifest", 1.0, detail),
        DetectorScore("c2pa_ai_generated", 1.0 if found.ai_source_types else 0.0, ai),
        DetectorScore("c2pa_signature_valid", 1.0 if found.signature_valid else 0.0),
    ]
