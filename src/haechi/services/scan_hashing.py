"""The part of a bulk scan that runs on workers: read a file, tell what it is, hash it.

`BatchHasher` is the one function both engines run (in-process, or shipped to Ray workers), so it
holds only picklable parts: the media source and the signal registry. It never raises for a bad
file: whatever goes wrong with one file becomes that file's recorded error, and the batch goes on.
Signal types are the registry's for the content type (a video signal type such as vPDQ is used as
soon as the registry offers one that hashes bytes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from haechi.domain.errors import HaechiError
from haechi.domain.scans import SNIFF_BYTES, FileOutcome, FileRef, FileStatus, sniff_content_type
from haechi.domain.signals import HashOutput, SignalRegistry
from haechi.services.ports_scan import MediaSource

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchHasher:
    source: MediaSource
    registry: SignalRegistry
    max_bytes: int

    def __call__(self, files: list[FileRef]) -> list[FileOutcome]:
        return [self.scan_one(ref) for ref in files]

    def scan_one(self, ref: FileRef) -> FileOutcome:
        if ref.size > self.max_bytes:
            return _failed(ref, None, f"file is {ref.size} bytes; the limit is {self.max_bytes}")
        try:
            data = self.source.read(ref.path, max_bytes=self.max_bytes)
        except HaechiError as e:
            return _failed(ref, None, e.message)
        content_type = sniff_content_type(data[:SNIFF_BYTES])
        if content_type is None or content_type not in self.registry.content_types:
            return FileOutcome(path=ref.path, size=len(data), status=FileStatus.SKIPPED)
        try:
            return self._hash(ref, data, content_type)
        except HaechiError as e:
            return _failed(ref, content_type, e.message)
        except Exception as e:  # a hasher crashing on one hostile file must not end the scan
            log.warning("hashing %s failed", ref.path, exc_info=True)
            return _failed(ref, content_type, f"hashing failed ({type(e).__name__})")

    def _hash(self, ref: FileRef, data: bytes, content_type: str) -> FileOutcome:
        hashes: dict[str, str] = {}
        low: list[str] = []
        for name, st in self.registry.hashers_for(content_type).items():
            hasher = getattr(st, "hash_bytes", None)
            if hasher is None:
                continue
            out: HashOutput = hasher(data)
            hashes[name] = out.value
            floor = st.min_quality
            if floor is not None and out.quality is not None and out.quality < floor:
                low.append(name)
        return FileOutcome(
            path=ref.path,
            size=len(data),
            status=FileStatus.HASHED,
            content_type=content_type,
            hashes=hashes,
            low_quality=low,
        )


def _failed(ref: FileRef, content_type: str | None, error: str) -> FileOutcome:
    return FileOutcome(
        path=ref.path,
        size=ref.size,
        status=FileStatus.FAILED,
        content_type=content_type,
        error=error[:1000],
    )
