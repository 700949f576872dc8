"""Reading C2PA (Content Credentials) manifests with `c2pa-python`, offline.

A manifest is a signed statement, embedded in the file, of how it was made. Generators that follow
the standard (Adobe Firefly, OpenAI's DALL-E and others) record an action whose
`digitalSourceType` is IPTC `trainedAlgorithmicMedia` (made by a generative model) or
`compositeWithTrainedAlgorithmicMedia` (partly generated, e.g. an inserted face). Most deepfake
tools write no manifest at all, and messaging apps strip them: a manifest says something, its
absence says nothing.

The reader runs with network access off: no remote manifest is fetched and no OCSP query is made,
so a reported file cannot make the server call out. The signature is still checked; whether the
signing certificate chains to a trust list is reported separately (`signingCredential.untrusted`
is normal for test and private certificates).
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import c2pa

from haechi.adapters.detectors.metadata_traces import AI_SOURCE_TYPES

__all__ = ["ManifestFindings", "read_manifest", "reader_version"]

_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_MIME = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "MP4": "video/mp4",
}


@dataclass(frozen=True, slots=True)
class ManifestFindings:
    present: bool
    #: "Trusted", "Valid" (signature checks out, signer not on a trust list) or "Invalid"
    validation_state: str | None = None
    #: failure codes other than an untrusted signer, e.g. assertion.dataHash.mismatch (edited)
    failures: tuple[str, ...] = ()
    signer_trusted: bool = False
    claim_generator: str = ""
    signer: str = ""
    #: the IPTC source types declaring AI generation found in any manifest's actions
    ai_source_types: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def signature_valid(self) -> bool:
        return self.present and self.validation_state in ("Valid", "Trusted") and not self.failures


def reader_version() -> str:
    return f"c2pa-python {c2pa.__version__} (c2pa-rs {c2pa.sdk_version()})"


@functools.cache
def _shared_context() -> c2pa.Context:
    return c2pa.Context.from_dict(_SETTINGS)


def _mime(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return _MIME["JPEG"]
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _MIME["PNG"]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _MIME["WEBP"]
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _MIME["GIF"]
    if data[4:8] == b"ftyp":
        return _MIME["MP4"]
    return None


def _generator(manifest: Mapping[str, Any]) -> str:
    info = manifest.get("claim_generator_info") or []
    names = [
        f"{i.get('name', '')} {i.get('version', '')}".strip() for i in info if isinstance(i, dict)
    ]
    return "; ".join(n for n in names if n) or str(manifest.get("claim_generator") or "")


def _actions(manifests: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(action names, AI source types) across every manifest (ingredients included)."""
    actions: list[str] = []
    sources: list[str] = []
    for manifest in manifests.values():
        for assertion in manifest.get("assertions") or []:
            if not str(assertion.get("label", "")).startswith("c2pa.actions"):
                continue
            for action in (assertion.get("data") or {}).get("actions") or []:
                actions.append(str(action.get("action", "")))
                source = str(action.get("digitalSourceType", ""))
                sources.extend(t for t in AI_SOURCE_TYPES if source.endswith(t))
    return actions, sorted(set(sources))


def _failures(results: Mapping[str, Any] | None) -> tuple[list[str], bool]:
    failures = [
        str(f.get("code", ""))
        for f in ((results or {}).get("activeManifest") or {}).get("failure") or []
    ]
    untrusted = "signingCredential.untrusted" in failures
    return [f for f in failures if f != "signingCredential.untrusted"], not untrusted


def read_manifest(data: bytes) -> ManifestFindings:
    """What the file's C2PA manifest store says; `present=False` when it has none."""
    mime = _mime(data)
    if mime is None:
        return ManifestFindings(present=False)
    try:
        reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, _shared_context())
        if reader is None:
            return ManifestFindings(present=False)
        with reader:
            store = reader.json()
            results = reader.get_validation_results()
            state = reader.get_validation_state()
    except c2pa.C2paError as e:
        return ManifestFindings(present=True, validation_state="Invalid", error=str(e)[:300])
    parsed = json.loads(store)
    manifests = parsed.get("manifests") or {}
    active = manifests.get(parsed.get("active_manifest"), {})
    actions, sources = _actions(manifests)
    failures, trusted = _failures(results)
    signature = active.get("signature_info") or {}
    return ManifestFindings(
        present=True,
        validation_state=state,
        failures=tuple(failures),
        signer_trusted=trusted and state == "Trusted",
        claim_generator=_generator(active),
        signer=" / ".join(
            str(signature.get(k)) for k in ("issuer", "common_name") if signature.get(k)
        ),
        ai_source_types=tuple(sources),
        actions=tuple(actions),
    )
