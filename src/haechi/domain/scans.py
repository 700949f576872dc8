"""Bulk scans of a media store: what a file is, what scanning it found, and how a run stands.

A scan run walks a store (a directory tree, an S3 bucket ...) once; every file it finishes gets one
`FileOutcome`, committed together with the match events it caused, so an interrupted run resumes
from the files not yet finished. Files are identified within a run by their path; `path_key` keeps
the database index small whatever the path's length. Which content type a file holds is decided by
its first bytes (messaging apps' caches often keep media without an extension), never by its name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class FileStatus(StrEnum):
    #: hashed (and matched against the banks)
    HASHED = "hashed"
    #: could not be read or decoded: the error is recorded, the scan goes on
    FAILED = "failed"
    #: not a media type haechi hashes (text, archives ...)
    SKIPPED = "skipped"


class RunStatus(StrEnum):
    #: started and not finished: being worked, or interrupted and waiting to be resumed
    RUNNING = "running"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file as the store lists it."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class ScanHit:
    signal_type: str
    bank: str
    content_id: int
    distance: int


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What scanning one file found (hashes travel between processes as JSON)."""

    path: str
    size: int
    status: FileStatus
    content_type: str | None = None
    #: signal type -> canonical hash
    hashes: dict[str, str] = field(default_factory=dict)
    #: signal types whose quality is below their floor: kept, but not matched
    low_quality: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> FileOutcome:
        data: dict[str, Any] = json.loads(raw)
        data["status"] = FileStatus(data["status"])
        return cls(**data)

    def matchable(self) -> dict[str, str]:
        """The hashes to look up: every one whose quality is good enough."""
        return {k: v for k, v in self.hashes.items() if k not in self.low_quality}


@dataclass(frozen=True, slots=True)
class ScanRun:
    id: int
    source: str
    engine: str
    status: RunStatus
    requester: str | None
    #: the process that last worked the run (host:pid)
    owner: str | None
    files_total: int
    files_done: int
    files_matched: int
    files_failed: int
    files_skipped: int
    #: files hashed again after they were finished (a resume must keep this at 0)
    rescanned: int
    resumes: int
    busy_s: float
    started_at: float
    updated_at: float
    finished_at: float | None

    @property
    def files_per_s(self) -> float:
        return self.files_done / self.busy_s if self.busy_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A finished file as recorded for a run."""

    path: str
    size: int
    status: FileStatus
    content_type: str | None
    hashes: dict[str, str]
    hits: list[ScanHit]
    error: str | None
    scanned_at: float


def path_key(path: str) -> str:
    """Fixed-length identity of a path within a run (SHA-256 of its UTF-8 bytes, hex)."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


#: how many leading bytes `sniff_content_type` needs
SNIFF_BYTES = 32

_PHOTO_MAGIC: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)
_PHOTO_BRANDS = frozenset({b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"})
_VIDEO_MAGIC: tuple[bytes, ...] = (
    b"\x1a\x45\xdf\xa3",  # Matroska / WebM
    b"FLV",
    b"\x00\x00\x01\xba",  # MPEG program stream
    b"\x00\x00\x01\xb3",  # MPEG-1/2 video
)


def sniff_content_type(head: bytes) -> str | None:
    """'photo', 'video' or None, from a file's first `SNIFF_BYTES` bytes."""
    if head.startswith(_PHOTO_MAGIC):
        return "photo"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"AVI "):
        return "photo" if head[8:12] == b"WEBP" else "video"
    if head[4:8] == b"ftyp":  # ISO base media: the brand tells stills from movies
        return "photo" if head[8:12] in _PHOTO_BRANDS else "video"
    if head.startswith(_VIDEO_MAGIC):
        return "video"
    return None
