"""Hashing adapters: the signal-type and content-type plugins that need hashing libraries.

The domain defines what a signal type is (validation, distance, thresholds); this package adds the
plugins that can compute their signal from bytes (PDQ via pdqhash, md5/sha256 via hashlib, vPDQ
via the vpdq package in background jobs) and the safe image decoder they share. bootstrap builds
the registry from `default_signal_types()` and `default_content_types()`.
"""

from __future__ import annotations

from haechi.adapters.hashers.content_types import PhotoContent, VideoContent
from haechi.adapters.hashers.decode import DecodeLimits
from haechi.adapters.hashers.digests import Md5Signal, Sha256Signal
from haechi.adapters.hashers.pdq import PdqSignal
from haechi.adapters.hashers.vpdq import VideoLimits, VpdqSignal
from haechi.domain.signals import ContentType, SignalType


def default_signal_types(
    limits: DecodeLimits | None = None, video: VideoLimits | None = None
) -> list[type[SignalType]]:
    """The signal types enabled unless configuration says otherwise (a fresh list each call)."""
    pdq = PdqSignal if limits is None else PdqSignal.with_limits(limits)
    vpdq = VpdqSignal if video is None else VpdqSignal.with_limits(video)
    return [pdq, Md5Signal, Sha256Signal, vpdq]


def default_content_types() -> list[type[ContentType]]:
    """The content types enabled unless configuration says otherwise (a fresh list each call)."""
    return [PhotoContent, VideoContent]


__all__ = [
    "DecodeLimits",
    "Md5Signal",
    "PdqSignal",
    "PhotoContent",
    "Sha256Signal",
    "VideoContent",
    "VideoLimits",
    "VpdqSignal",
    "default_content_types",
    "default_signal_types",
]
