"""The content types haechi hashes from files, and which signal types apply to each.

A content type only names signal types (by their wire names), so a photo or a video can be
matched by perceptual and exact hashes alike. A video's vPDQ is slow to compute (`deferred`): a
request gets its exact digests, a background job adds vPDQ.
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
    """Video files: vPDQ (frames, in a background job) and exact digests."""

    name: ClassVar[str] = "video"
    signal_types: ClassVar[tuple[str, ...]] = ("vpdq", "md5", "sha256")
    mime_prefixes: ClassVar[tuple[str, ...]] = ("video/",)
