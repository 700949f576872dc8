"""Ports for videos (issue 6): frame-hash storage, the video index, and queued video files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from haechi.domain.video import VideoMatch


@dataclass(frozen=True, slots=True)
class VideoCandidate:
    """A banked video an index found for a query video, with how (and where) they match."""

    content_id: int
    match: VideoMatch


@runtime_checkable
class VideoSignalIndex(Protocol):
    """A `SignalIndex` for a video signal that can also explain its matches."""

    def query_video(self, value: str, max_distance: int) -> list[VideoCandidate]:
        """Videos within `max_distance` (100 - best containment %) of the query, nearest first."""


class VideoStore(Protocol):
    """Whole vPDQ hashes of banked and reported videos (too long for a signal column). Never
    commits."""

    def attach_signal(
        self, content_id: int, signal_type: str, value: str, quality: int | None
    ) -> None:
        """Add or replace one signal of existing content (a change the matchers replay)."""

    def long_values(self, content_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """Per content id, the whole values of its long signals."""

    def delete_for(self, content_ids: Sequence[int]) -> None: ...

    def keep_item_hash(self, item_id: int, signal_type: str, value: str) -> str:
        """Add (or replace) a signal of a reported case item; a value too long for the item's
        signal columns is kept whole, keyed by the fingerprint stored on the item. Returns what
        the item now holds (the value or its fingerprint). NotFound for an unknown item."""

    def item_values(self, signals: Mapping[str, str]) -> dict[str, str]:
        """A case item's signals with fingerprints replaced by the whole values (unknown ones
        left out), e.g. to bank a confirmed item."""


class VideoFiles(Protocol):
    """Where uploaded videos wait for their hashing job (deleted once hashed)."""

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store one upload under a fresh key; returns (key, True)."""

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...
