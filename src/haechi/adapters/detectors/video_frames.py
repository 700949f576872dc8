"""Frames sampled from a video for photo detectors (issue 7), decoded with ffmpeg.

The video is first checked with the same `ffprobe` limits as vPDQ hashing
(`adapters.hashers.vpdq.probe`: duration, frame size, frame count), so a huge or hostile file is
refused before anything is decoded. Then at most `max_frames` frames are taken, one a second for a
short video and evenly spread over a longer one, each in the middle of its stretch
(`sample_times`). A short video (up to `one_pass_s`, or `max_frames` seconds if longer) is
decoded in one ffmpeg pass; a longer one takes one input-seeking ffmpeg call per frame, so the
cost depends on the number of frames, not on the video's length (a three-hour video costs about
what a ten-minute one does). Frames are scaled to fit `max_side` pixels (detectors resize to
their own input far below that) and returned as PNG, which every photo detector decodes.
"""

from __future__ import annotations

import os
import struct
import subprocess
import tempfile
from pathlib import Path

from haechi.adapters.hashers.vpdq import VideoLimits, probe
from haechi.domain.errors import MediaTooLarge, UnsupportedMedia
from haechi.services.ports_detectors import VideoStill

__all__ = ["FfmpegFrameSampler", "sample_times", "split_pngs"]

_PNG = b"\x89PNG\r\n\x1a\n"


def split_pngs(stream: bytes) -> list[bytes]:
    """The PNG files ffmpeg wrote back to back (walked chunk by chunk up to each IEND)."""
    out: list[bytes] = []
    start = 0
    while stream.startswith(_PNG, start):
        pos = start + len(_PNG)
        while pos + 8 <= len(stream):
            (length,), kind = struct.unpack(">I", stream[pos : pos + 4]), stream[pos + 4 : pos + 8]
            pos += 12 + length
            if kind == b"IEND":
                break
        else:
            break  # truncated: keep the complete files before it
        if pos > len(stream):
            break
        out.append(stream[start:pos])
        start = pos
    return out


def sample_times(duration_s: float, max_frames: int) -> list[float]:
    """When to take frames: one a second, or `max_frames` evenly spread over a longer video,
    each in the middle of its stretch; a video shorter than a second gives its middle frame."""
    step = max(1.0, duration_s / max_frames)
    times = [round(step * (k + 0.5), 3) for k in range(max_frames)]
    return [t for t in times if t < duration_s] or [round(duration_s / 2, 3)]


def _select(times: list[float], scale: str) -> str:
    """An ffmpeg filter keeping, for each time, the first frame at or after it."""
    terms = "+".join(f"gte(t\\,{t:.3f})*not(gte(prev_t\\,{t:.3f}))" for t in times)
    return f"select='{terms}',{scale}"


class FfmpegFrameSampler:
    def __init__(
        self,
        limits: VideoLimits,
        *,
        max_frames: int,
        max_side: int = 640,
        one_pass_s: float = 60.0,
    ) -> None:
        if max_frames < 1:
            raise ValueError("max_frames must be at least 1")
        self._limits = limits
        self._max_frames = max_frames
        self._max_side = max_side
        #: videos up to this long (or max_frames seconds) are decoded in one pass
        self._one_pass_s = max(one_pass_s, float(max_frames))

    @property
    def max_frames(self) -> int:
        return self._max_frames

    def sample(self, data: bytes) -> list[VideoStill]:
        if len(data) > self._limits.max_bytes:
            raise MediaTooLarge(f"video exceeds {self._limits.max_bytes} bytes")
        fd, name = tempfile.mkstemp(prefix="haechi-frames-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            info = probe(path, self._limits)
            times = sample_times(info.duration_s, self._max_frames)
            if info.duration_s <= self._one_pass_s:  # one decoding pass
                pngs = split_pngs(self._ffmpeg(path, 0.0, _select(times, self._scale), len(times)))
                stills = [VideoStill(t, png) for t, png in zip(times, pngs, strict=False)]
            else:
                stills = [
                    VideoStill(t, png) for t in times if (png := self._ffmpeg(path, t, self._scale))
                ]
        finally:
            path.unlink(missing_ok=True)
        if not stills:
            raise UnsupportedMedia("no frames could be decoded from the video")
        return stills

    @property
    def _scale(self) -> str:
        side = self._max_side
        return f"scale=w='min({side},iw)':h='min({side},ih)':force_original_aspect_ratio=decrease"

    def _ffmpeg(self, path: Path, at_s: float, filters: str, frames: int = 1) -> bytes:
        """Up to `frames` frames from `at_s` on, through `filters`, as PNGs back to back (b""
        where none can be decoded there)."""
        command = [
            "ffmpeg", "-nostdin", "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(path),
            "-an", "-sn", "-dn", "-frames:v", str(frames), "-vf", filters, "-fps_mode", "vfr",
            "-f", "image2pipe", "-c:v", "png", "-",
        ]  # fmt: skip
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                command, capture_output=True, timeout=self._limits.probe_timeout_s, check=False
            )
        except FileNotFoundError:
            raise UnsupportedMedia("video frames need ffmpeg (Debian package ffmpeg)") from None
        except subprocess.TimeoutExpired:
            return b""
        return done.stdout if done.returncode == 0 else b""
