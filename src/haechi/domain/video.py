"""Video signals (vPDQ): frame hashes, their wire format, and what a video match means.

A vPDQ hash is the PDQ hash of sampled frames (one a second by default), each with the hasher's
quality (0-100) and the frame's timestamp. The wire format is python-threatexchange's, so HMA
clients can send the hashes they compute: a JSON list of `"<pdq hex>,<quality>,<seconds>"`
strings. Two videos are compared as HMA does: frames below the quality floor are dropped,
identical frame hashes counted once, and a frame of one video is *matched* when some frame of the
other is within the PDQ distance. That gives two percentages:

* **query match %**: the share of the query's frames found in the indexed (banked) video;
* **indexed match %**: the share of the banked video's frames found in the query.

A clip cut from a banked video scores ~100% one way; a compilation that contains a banked video
scores ~100% the other way. haechi's video *distance* is 100 minus the larger of the two
(rounded down to whole percent; 0 only when both are 100%, at least 1 otherwise), so a bank
threshold of 20 means "one video is at least 80% contained in the other". The time ranges where
matched frames run back to back are reported for both videos, so a reviewer can jump to them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from haechi.domain.errors import InvalidSignal

#: HMA's vPDQ constants: frames farther apart than this do not match, frames below this quality
#: (flat, dark or blurred) are not compared at all
FRAME_DISTANCE = 31
MIN_FRAME_QUALITY = 50
#: a hash with more frames than this is refused (ten hours at one frame a second)
MAX_FRAMES = 36_000
_PDQ = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class VideoFrame:
    pdq: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        return f"{self.pdq},{self.quality},{self.timestamp:.3f}"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A stretch of a video, in seconds from its start."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class VideoMatch:
    """How much of two videos match, and where."""

    query_match_percent: float
    indexed_match_percent: float
    query_ranges: tuple[TimeRange, ...] = ()
    indexed_ranges: tuple[TimeRange, ...] = ()
    #: unique usable frames compared on each side
    query_frames: int = 0
    indexed_frames: int = 0

    @property
    def distance(self) -> int:
        return video_distance(self.query_match_percent, self.indexed_match_percent)

    def pretty(self) -> str:
        """HMA's rendering of a vPDQ similarity: `query%[indexed%]`."""
        return f"{self.query_match_percent:.0f}%[{self.indexed_match_percent:.0f}%]"


def video_distance(query_percent: float, indexed_percent: float) -> int:
    """0 when each video's frames are all found in the other; otherwise 100 minus the better
    containment in whole percent, at least 1 (1 = one video lies wholly inside the other)."""
    if query_percent >= 100.0 and indexed_percent >= 100.0:
        return 0
    return max(1, 100 - math.floor(max(query_percent, indexed_percent) + 1e-9))


def parse_vpdq(value: object) -> list[VideoFrame]:
    """Frames of a serialized vPDQ hash (threatexchange's format); raises InvalidSignal."""
    if not isinstance(value, str):
        raise InvalidSignal("vpdq hash must be a string")
    try:
        items = json.loads(value)
    except ValueError:
        raise InvalidSignal("vpdq hash must be a JSON list of 'pdq,quality,seconds'") from None
    if not isinstance(items, list) or not items:
        raise InvalidSignal("vpdq hash must be a non-empty JSON list of frames")
    if len(items) > MAX_FRAMES:
        raise InvalidSignal(f"vpdq hash has more than {MAX_FRAMES} frames")
    return [_frame(item) for item in items]


def _frame(item: object) -> VideoFrame:
    if not isinstance(item, str):
        raise InvalidSignal("each vpdq frame must be a 'pdq,quality,seconds' string")
    parts = item.split(",")
    if len(parts) != 3:
        raise InvalidSignal(f"invalid vpdq frame: {item[:100]!r}")
    pdq = parts[0].strip().lower()
    try:
        quality, timestamp = int(parts[1].strip()), float(parts[2].strip())
    except ValueError:
        raise InvalidSignal(f"invalid vpdq frame: {item[:100]!r}") from None
    if not _PDQ.fullmatch(pdq):
        raise InvalidSignal("vpdq frame hash must be 64 hexadecimal characters")
    if not 0 <= quality <= 100:
        raise InvalidSignal("vpdq frame quality must be between 0 and 100")
    if not math.isfinite(timestamp) or timestamp < 0:
        raise InvalidSignal("vpdq frame timestamp must be a non-negative number")
    return VideoFrame(pdq, quality, round(timestamp, 3))


def serialize_vpdq(frames: Iterable[VideoFrame]) -> str:
    """The canonical serialization (threatexchange's layout, timestamps to the millisecond)."""
    return json.dumps([str(f) for f in frames])


def canonical_vpdq(value: object) -> str:
    return serialize_vpdq(parse_vpdq(value))


def fingerprint(value: str) -> str:
    """A short stand-in for a long signal value (stored where the value itself does not fit)."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def usable_hashes(frames: Iterable[VideoFrame], min_quality: int = MIN_FRAME_QUALITY) -> list[str]:
    """Unique frame hashes at or above the quality floor, in order of first appearance."""
    seen: dict[str, None] = {}
    for f in frames:
        if f.quality >= min_quality:
            seen.setdefault(f.pdq, None)
    return list(seen)


def matched_ranges(
    frames: Sequence[VideoFrame], matched: set[str], min_quality: int = MIN_FRAME_QUALITY
) -> tuple[TimeRange, ...]:
    """Runs of matched frames, in time order. A frame too poor to compare (a fade, a black
    frame) neither breaks nor extends a run; an unmatched usable frame ends it. A run ends where
    the next frame (or, for the last frame, one sampling step later) begins."""
    ordered = sorted(frames, key=lambda f: f.timestamp)
    step = _step(ordered)
    ranges: list[TimeRange] = []
    start: float | None = None
    last = 0.0
    for f in ordered:
        if f.quality < min_quality:
            continue
        if f.pdq in matched:
            start = f.timestamp if start is None else start
            last = f.timestamp
        elif start is not None:
            ranges.append(TimeRange(start, round(min(f.timestamp, last + step), 3)))
            start = None
    if start is not None:
        ranges.append(TimeRange(start, round(last + step, 3)))
    return tuple(ranges)


def _step(ordered: Sequence[VideoFrame]) -> float:
    """The sampling interval: the median gap between frames (1 s for a single frame)."""
    gaps = sorted(b.timestamp - a.timestamp for a, b in itertools.pairwise(ordered))
    gaps = [g for g in gaps if g > 0]
    return gaps[len(gaps) // 2] if gaps else 1.0


@dataclass(slots=True)
class FramePairs:
    """Which unique frame hashes of each side found a partner on the other side."""

    query: set[str] = field(default_factory=set)
    indexed: set[str] = field(default_factory=set)


def video_match(
    query: Sequence[VideoFrame],
    indexed: Sequence[VideoFrame],
    pairs: FramePairs,
    min_quality: int = MIN_FRAME_QUALITY,
) -> VideoMatch:
    """Percentages both ways and matched ranges, from the frame pairs an index or a brute-force
    comparison found (HMA's arithmetic: matched unique usable frames / unique usable frames)."""
    q_unique, i_unique = usable_hashes(query, min_quality), usable_hashes(indexed, min_quality)
    q_hit = sum(1 for h in q_unique if h in pairs.query)
    i_hit = sum(1 for h in i_unique if h in pairs.indexed)
    return VideoMatch(
        query_match_percent=_percent(q_hit, len(q_unique)),
        indexed_match_percent=_percent(i_hit, len(i_unique)),
        query_ranges=matched_ranges(query, pairs.query, min_quality),
        indexed_ranges=matched_ranges(indexed, pairs.indexed, min_quality),
        query_frames=len(q_unique),
        indexed_frames=len(i_unique),
    )


def _percent(hit: int, total: int) -> float:
    return round(hit * 100.0 / total, 2) if total else 0.0
