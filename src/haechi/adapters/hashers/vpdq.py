"""The vPDQ signal type: Meta's video hash (PDQ of sampled frames), computed with `vpdq`.

Hashing decodes the whole video with libav (the `vpdq` package is built against Debian's
libav*-dev), so it is slow by request standards (about real time or faster; see
benchmarks/bench_vpdq.py) and runs in background jobs (`deferred`). Before decoding, `ffprobe`
checks that the bytes are a video within the configured duration, frame-size and frame-count
limits, so a huge or hostile file is refused in milliseconds with a clear error instead of tying
up a worker. Hashes use python-threatexchange's serialization (see `haechi.domain.video`).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from haechi.domain.errors import MediaTooLarge, UnsupportedMedia
from haechi.domain.signals import HashOutput, SignalType
from haechi.domain.video import (
    FRAME_DISTANCE,
    MIN_FRAME_QUALITY,
    FramePairs,
    VideoFrame,
    VideoMatch,
    canonical_vpdq,
    parse_vpdq,
    serialize_vpdq,
    usable_hashes,
    video_match,
)

#: ffprobe's names for containers of still images
_STILL_FORMATS = ("_pipe", "image2")


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """What a video may be before it is decoded (checked with ffprobe)."""

    max_bytes: int = 200 * 1024 * 1024
    max_duration_s: float = 3 * 3600.0
    max_pixels: int = 3840 * 2160
    #: frames hashed at most (duration / seconds_per_hash)
    max_frames: int = 36_000
    seconds_per_hash: float = 1.0
    probe_timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class VideoInfo:
    width: int
    height: int
    duration_s: float


class VpdqSignal(SignalType):
    """vPDQ: per-frame PDQ hashes of a video; distance 0 for the same frames, else 100 minus
    the better containment percent (see `haechi.domain.video`)."""

    name: ClassVar[str] = "vpdq"
    #: match when one video is at least 80% inside the other (HMA's query threshold)
    default_threshold: ClassVar[int] = 20
    max_threshold: ClassVar[int] = 100
    min_quality: ClassVar[int | None] = MIN_FRAME_QUALITY
    deferred: ClassVar[bool] = True
    limits: ClassVar[VideoLimits] = VideoLimits()

    @classmethod
    def with_limits(cls, limits: VideoLimits) -> type[VpdqSignal]:
        """The same plugin (same name) with the deployment's video limits."""
        return type(cls.__name__, (cls,), {"limits": limits})

    @classmethod
    def validate(cls, value: str) -> str:
        return canonical_vpdq(value.strip() if isinstance(value, str) else value)

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return cls.compare(a, b).distance

    @classmethod
    def compare(cls, query: str, indexed: str) -> VideoMatch:
        """Both percentages and the matched ranges of two hashes, by brute force."""
        q, i = parse_vpdq(query.strip()), parse_vpdq(indexed.strip())
        return video_match(q, i, frame_pairs(q, i, FRAME_DISTANCE))

    @classmethod
    def hash_bytes(cls, data: bytes) -> HashOutput:
        """Hash a video held in memory (written to a private temporary file for libav)."""
        if len(data) > cls.limits.max_bytes:
            raise MediaTooLarge(f"video exceeds {cls.limits.max_bytes} bytes")
        fd, name = tempfile.mkstemp(prefix="haechi-video-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return cls.hash_file(Path(name))
        finally:
            Path(name).unlink(missing_ok=True)

    @classmethod
    def hash_file(cls, path: Path) -> HashOutput:
        frames = hash_frames(path, cls.limits)
        if not frames:
            raise UnsupportedMedia("no frames could be decoded from the video")
        quality = round(sum(f.quality for f in frames) / len(frames))
        return HashOutput(value=serialize_vpdq(frames), quality=int(quality))


def probe(path: Path, limits: VideoLimits) -> VideoInfo:
    """Width, height and duration of the first video stream; refuses what the limits forbid."""
    command = [
        "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
        "stream=width,height,duration:format=duration,format_name", "-of", "json", str(path),
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            command, capture_output=True, timeout=limits.probe_timeout_s, check=False
        )
    except FileNotFoundError:
        raise UnsupportedMedia("video hashing needs ffprobe (Debian package ffmpeg)") from None
    except subprocess.TimeoutExpired:
        raise UnsupportedMedia("the video could not be read in time") from None
    info = _parse_probe(done.stdout if done.returncode == 0 else b"")
    if info.width * info.height > limits.max_pixels:
        raise MediaTooLarge(f"video frames exceed {limits.max_pixels} pixels")
    if info.duration_s > limits.max_duration_s:
        raise MediaTooLarge(f"video is longer than {limits.max_duration_s:.0f} s")
    step = max(limits.seconds_per_hash, 1e-3)
    if info.duration_s / step > limits.max_frames:
        raise MediaTooLarge(f"video would give more than {limits.max_frames} frame hashes")
    return info


def _parse_probe(raw: bytes) -> VideoInfo:
    try:
        data = json.loads(raw or b"{}")
        stream = data["streams"][0]
        width, height = int(stream["width"]), int(stream["height"])
        container = data.get("format", {})
        seconds = float(stream.get("duration") or container.get("duration") or 0)
        still = str(container.get("format_name", "")).endswith(_STILL_FORMATS)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise UnsupportedMedia("not a video file haechi can decode") from None
    if width <= 0 or height <= 0:
        raise UnsupportedMedia("the video has no picture")
    if still or seconds <= 0:
        raise UnsupportedMedia("not a video (a still image? send it as a photo)")
    return VideoInfo(width=width, height=height, duration_s=seconds)


def hash_frames(path: Path, limits: VideoLimits) -> list[VideoFrame]:
    """Probe, then hash one frame every `seconds_per_hash` with the vpdq library."""
    import vpdq  # native extension, loaded only where videos are hashed

    probe(path, limits)
    features = vpdq.computeHash(str(path), seconds_per_hash=limits.seconds_per_hash)
    frames = [VideoFrame(f.hex, int(f.quality), round(float(f.timestamp), 3)) for f in features]
    return frames[: limits.max_frames]


def frame_pairs(
    query: list[VideoFrame], indexed: list[VideoFrame], max_distance: int
) -> FramePairs:
    """Unique usable frame hashes of each side within `max_distance` of the other (vectorised)."""
    q_hex, i_hex = usable_hashes(query), usable_hashes(indexed)
    pairs = FramePairs()
    if not q_hex or not i_hex:
        return pairs
    q_words, i_words = _words(q_hex), _words(i_hex)
    i_hit = np.zeros(len(i_hex), dtype=bool)
    for start in range(0, len(q_hex), 256):
        block = q_words[start : start + 256]
        dist = np.bitwise_count(block[:, None, :] ^ i_words[None, :, :]).sum(axis=2)
        close = dist <= max_distance
        for row in np.flatnonzero(close.any(axis=1)):
            pairs.query.add(q_hex[start + int(row)])
        i_hit |= close.any(axis=0)
    pairs.indexed.update(i_hex[int(j)] for j in np.flatnonzero(i_hit))
    return pairs


def _words(hexes: list[str]) -> npt.NDArray[np.uint64]:
    raw = np.frombuffer(b"".join(bytes.fromhex(h) for h in hexes), dtype=">u8")
    return raw.astype(np.uint64).reshape(len(hexes), 4)


def check_video_bytes(data: bytes, limits: VideoLimits) -> VideoInfo:
    """`probe` for bytes in memory (a private temporary file that is removed at once)."""
    if len(data) > limits.max_bytes:
        raise MediaTooLarge(f"video exceeds {limits.max_bytes} bytes")
    fd, name = tempfile.mkstemp(prefix="haechi-probe-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return probe(Path(name), limits)
    finally:
        Path(name).unlink(missing_ok=True)


__all__ = [
    "VideoInfo",
    "VideoLimits",
    "VpdqSignal",
    "check_video_bytes",
    "frame_pairs",
    "hash_frames",
    "probe",
]
