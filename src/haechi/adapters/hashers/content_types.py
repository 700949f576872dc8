"""The content types haechi hashes from files, and which signal types apply to each.

A content type only names signal types (by their wire names), so a photo can be matched by
perceptual and exact hashes alike while a video, until a video hasher is enabled, falls back to
exact digests.
"""

from __future__ import annotations

from typing import ClassVar

from haechi.domain.signals import ContentType


class PhotoContent(ContentType):
    """Still images."""

    name: ClassVar[str] = "photo"
    signal_types: ClassVar[tuple[str, ...]] = ("pdq", "md5", "sha256")
    mime_prefixes: ClassVar[tuple[str, ...]] = ("image/",)


class VideoContent(ContentType):
    """Video files (exact digests until a video signal type such as vpdq is added)."""

    name: ClassVar[str] = "video"
    signal_types: ClassVar[tuple[str, ...]] = ("md5", "sha256")
    mime_prefixes: ClassVar[tuple[str, ...]] = ("video/",)
