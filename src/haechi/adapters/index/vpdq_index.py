"""The vPDQ index behind the `SignalIndex` port: banked videos' frame hashes in a PDQ MIH index.

Each banked video's unique, quality-filtered frame hashes go into one exact PDQ index
(`PdqMihIndex`) under synthetic frame keys that map back to the video. A query video's frames
are looked up together (one vectorised `query_many`), the hits grouped by video, and for each
candidate video both match percentages and the matched time ranges are computed from the frame
pairs (`haechi.domain.video`), as python-threatexchange's VPDQIndex does with FAISS, but exact:
every frame within the PDQ distance is found. A video's *distance* is 100 minus its better
containment percentage, so the matcher applies bank thresholds to it like to any other signal.

Snapshots store each video's serialized hash (JSON), and rebuild the frame index on load.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from haechi.adapters.index._snapshot import IndexSnapshotError
from haechi.adapters.index.pdq_mih import PdqMihIndex
from haechi.domain.video import (
    FRAME_DISTANCE,
    MIN_FRAME_QUALITY,
    FramePairs,
    VideoFrame,
    parse_vpdq,
    serialize_vpdq,
    usable_hashes,
    video_match,
)
from haechi.services.ports_video import VideoCandidate

_KIND = "haechi-vpdq-index"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class _Video:
    frames: tuple[VideoFrame, ...]
    keys: tuple[int, ...]


class VpdqIndex:
    """Banked videos (serialized vPDQ) -> content ids, with per-video match details."""

    def __init__(
        self,
        *,
        signal_type: str = "vpdq",
        frame_distance: int = FRAME_DISTANCE,
        min_quality: int = MIN_FRAME_QUALITY,
    ) -> None:
        self.signal_type = signal_type
        self._frame_distance = frame_distance
        self._min_quality = min_quality
        self._frames = PdqMihIndex(signal_type=f"{signal_type}-frames", max_radius=frame_distance)
        self._videos: dict[int, _Video] = {}
        #: frame key -> (content id, frame hash)
        self._owners: dict[int, tuple[int, str]] = {}
        self._next_key = 1
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._videos)

    @property
    def frame_count(self) -> int:
        return len(self._frames)

    def add(self, entries: Iterable[tuple[str, int]]) -> None:
        """Index (serialized vPDQ, content id) pairs; re-adding an id replaces its video."""
        batch: list[tuple[str, int]] = []
        with self._lock:
            for value, content_id in entries:
                self._drop(int(content_id))
                frames = tuple(parse_vpdq(value))
                hashes = usable_hashes(frames, self._min_quality)
                keys = tuple(range(self._next_key, self._next_key + len(hashes)))
                self._next_key += len(hashes)
                for key, h in zip(keys, hashes, strict=True):
                    self._owners[key] = (int(content_id), h)
                    batch.append((h, key))
                self._videos[int(content_id)] = _Video(frames, keys)
        self._frames.add(batch)

    def remove(self, content_ids: Iterable[int]) -> None:
        with self._lock:
            keys = [k for cid in content_ids for k in self._drop(int(cid))]
        self._frames.remove(keys)

    def _drop(self, content_id: int) -> tuple[int, ...]:
        video = self._videos.pop(content_id, None)
        if video is None:
            return ()
        for key in video.keys:
            self._owners.pop(key, None)
        self._frames.remove(video.keys)
        return video.keys

    def query(self, value: str, max_distance: int) -> list[tuple[int, int]]:
        return [(c.content_id, c.match.distance) for c in self.query_video(value, max_distance)]

    def query_video(self, value: str, max_distance: int) -> list[VideoCandidate]:
        """Videos whose distance to the query is at most `max_distance`, nearest first."""
        query = parse_vpdq(value)
        hashes = usable_hashes(query, self._min_quality)
        if not hashes:
            return []
        found = self._frames.query_many(hashes, self._frame_distance)
        pairs: dict[int, FramePairs] = {}
        with self._lock:
            for query_hash, hits in zip(hashes, found, strict=True):
                for key, _distance in hits:
                    owner = self._owners.get(key)
                    if owner is None:
                        continue
                    pair = pairs.setdefault(owner[0], FramePairs())
                    pair.query.add(query_hash)
                    pair.indexed.add(owner[1])
            videos = {cid: self._videos[cid].frames for cid in pairs if cid in self._videos}
        out = [
            VideoCandidate(cid, video_match(query, frames, pairs[cid], self._min_quality))
            for cid, frames in videos.items()
        ]
        out = [c for c in out if c.match.distance <= max_distance]
        out.sort(key=lambda c: (c.match.distance, c.content_id))
        return out

    # -- snapshots -------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        with self._lock:
            videos = {str(cid): serialize_vpdq(v.frames) for cid, v in self._videos.items()}
        payload = {"format": _KIND, "version": _VERSION, "videos": videos}
        tmp = Path(f"{path}.tmp")
        tmp.write_text(json.dumps(payload))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> VpdqIndex:
        try:
            payload = json.loads(Path(path).read_text())
            if payload.get("format") != _KIND or payload.get("version") != _VERSION:
                raise IndexSnapshotError(f"{path}: not a {_KIND} v{_VERSION} snapshot")
            entries = [(value, int(cid)) for cid, value in payload["videos"].items()]
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            raise IndexSnapshotError(f"{path}: unreadable vpdq snapshot ({exc})") from None
        index = cls()
        index.add(entries)
        return index
