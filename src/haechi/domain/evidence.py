"""Evidence packages: a zip of JSON files plus a manifest, signed with the instance's Ed25519 key.

Layout: data files (`case.json`, `items.json`, `messages.json`, `attachments/<sha256>`, …),
`audit/segment.json`, `manifest.json` (every file's SHA-256 and size) and `manifest.sig` (the
signature over the manifest's exact bytes, hex). Verification needs only the package and the public
key; it checks the signature, every file, and the audit segment.

Chain of custody: the export is itself an audit entry (`evidence.export`) whose detail carries the
`content_digest` (SHA-256 over the data files' names and hashes). The segment holds every entry
about the case in full, plus a link (seq, prev hash, hash) for each entry between the first of them
and the export entry, so the verifier can check the case's entries are one unbroken stretch of the
instance's chain ending at the export. The manifest names that export entry (seq and hash), so the
signed package says who exported it and when, and the instance's own audit log can confirm it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from haechi.domain.audit import AuditEntry, recompute

FORMAT = "haechi-evidence/1"
MANIFEST, SIGNATURE, SEGMENT = "manifest.json", "manifest.sig", "audit/segment.json"
EXPORT_ACTION = "evidence.export"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    return str(value)


def to_json(value: object) -> bytes:
    """Stable JSON: dataclasses as objects, enums and dates as their text."""
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False, default=_plain).encode()


def content_digest(files: Mapping[str, bytes]) -> str:
    """One hash over the data files' names and hashes (what the export's audit entry commits to)."""
    listing = {name: sha256(data) for name, data in files.items() if name != SEGMENT}
    return sha256(json.dumps(listing, sort_keys=True, separators=(",", ":")).encode())


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "org_id": entry.org_id,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def manifest_for(files: Mapping[str, bytes], **header: Any) -> bytes:
    listing = [{"name": n, "sha256": sha256(d), "size": len(d)} for n, d in sorted(files.items())]
    return to_json({"format": FORMAT, **header, "files": listing})


def build_zip(files: Mapping[str, bytes], manifest: bytes, signature: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, signature.hex())
    return buffer.getvalue()


@dataclass(slots=True)
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


SignatureCheck = Callable[[bytes, bytes], bool]


def verify_package(data: bytes, *, key_id: str, check: SignatureCheck) -> VerifyReport:
    """Every problem found, in order; an empty list means the package is intact and signed."""
    report = VerifyReport()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {i.filename: archive.read(i) for i in archive.infolist()}
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as e:
        report.problems.append(f"not a readable zip archive (truncated or corrupted): {e}")
        return report
    manifest, sig = files.pop(MANIFEST, None), files.pop(SIGNATURE, None)
    if manifest is None or sig is None:
        report.problems.append("manifest.json or manifest.sig is missing")
        return report
    if not _signed(manifest, sig, check):
        report.problems.append(
            "signature does not verify: manifest altered or signed by another key"
        )
        return report
    report.manifest = json.loads(manifest)
    if report.manifest.get("key_id") != key_id:
        report.problems.append("manifest names a different signing key")
    report.problems += _file_problems(report.manifest, files)
    if not report.problems:
        report.problems += _custody_problems(report.manifest, files)
    return report


def _signed(manifest: bytes, sig: bytes, check: SignatureCheck) -> bool:
    try:
        return check(manifest, bytes.fromhex(sig.decode("ascii").strip()))
    except (ValueError, UnicodeDecodeError):
        return False


def _file_problems(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    problems: list[str] = []
    listed = {f["name"]: f for f in manifest.get("files", [])}
    for name in sorted(set(files) - set(listed)):
        problems.append(f"{name}: in the archive but not in the manifest")
    for name, entry in sorted(listed.items()):
        if name not in files:
            problems.append(f"{name}: listed in the manifest but missing")
        elif sha256(files[name]) != entry["sha256"] or len(files[name]) != entry["size"]:
            problems.append(f"{name}: SHA-256 does not match the manifest (file altered)")
    return problems


def _custody_problems(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    custody = manifest.get("custody", {})
    if content_digest(files) != manifest.get("content_digest"):
        return ["content digest does not match the data files"]
    segment = json.loads(files.get(SEGMENT, b"{}"))
    problems = check_segment(segment)
    entries = {e["seq"]: e for e in segment.get("entries", [])}
    export = entries.get(custody.get("audit_seq"))
    links = segment.get("links", [])
    if export is None or not links or links[-1][0] != export["seq"]:
        return [*problems, "the export's own audit entry does not end the audit segment"]
    if export["hash"] != custody.get("audit_hash") or export["action"] != EXPORT_ACTION:
        problems.append("the manifest's custody record does not match the export's audit entry")
    if export["detail"].get("content_digest") != manifest.get("content_digest"):
        problems.append("the export's audit entry commits to different contents")
    if export["resource_id"] != manifest.get("case"):
        problems.append("the export's audit entry is about another case")
    return problems


def check_segment(segment: Mapping[str, Any]) -> list[str]:
    """Links are consecutive and chained; every full entry hashes to its link."""
    problems: list[str] = []
    links = segment.get("links", [])
    by_seq = {int(seq): (prev, digest) for seq, prev, digest in links}
    for (seq, _p, digest), (next_seq, next_prev, _d) in itertools.pairwise(links):
        if next_seq != seq + 1 or next_prev != digest:
            problems.append(f"audit segment: entry {next_seq} does not link to entry {seq}")
    for raw in segment.get("entries", []):
        entry = AuditEntry(**raw)
        if recompute(entry) != entry.hash:
            problems.append(f"audit entry {entry.seq}: content does not match its hash")
        elif by_seq.get(entry.seq) != (entry.prev_hash, entry.hash):
            problems.append(f"audit entry {entry.seq}: not at its place in the chain")
    return problems
