"""Which file of a Telegram message gets hashed, and as what content type.

Photos come in several sizes; the largest one within the download limit is hashed (PDQ is made for
full pictures, and a thumbnail of 90 px would hash poorly). Images and videos sent "as a file"
arrive as documents with a MIME type; GIFs arrive as animations (MP4). Stickers, voice and text are
left alone: they are not the media this connector looks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message


@dataclass(frozen=True, slots=True)
class MediaRef:
    file_id: str
    #: haechi's content type: "photo" or "video"
    content_type: str
    #: as Telegram announces it (None when it does not say)
    size: int | None


def media_of(message: Message, max_bytes: int) -> MediaRef | None:
    """The file to hash in `message`, or None when it carries nothing this connector hashes."""
    if message.photo:
        fitting = [p for p in message.photo if p.file_size is None or p.file_size <= max_bytes]
        best = max(fitting or message.photo, key=lambda p: p.width * p.height)
        return MediaRef(best.file_id, "photo", best.file_size)
    document = message.document
    if document is not None:
        mime = (document.mime_type or "").lower()
        if mime.startswith("image/"):
            return MediaRef(document.file_id, "photo", document.file_size)
        if mime.startswith("video/"):
            return MediaRef(document.file_id, "video", document.file_size)
        return None
    for video in (message.video, message.animation, message.video_note):
        if video is not None:
            return MediaRef(video.file_id, "video", video.file_size)
    return None
