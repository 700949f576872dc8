"""One reported item made ready for filing: checked, hashed when it is a file, nothing stored yet.

A file is sniffed by its first bytes (never by its name), hashed as a photo or a video, and kept in
memory until the report's transaction stores it. Hash-only items are validated against the enabled
signal types. URLs and chat links are checked for shape only: intake never fetches what a member
of the public points it at. A PDQ hash below its quality floor is kept and shown, but neither
matched nor used for dedup (the matching policy: reported, not silently matched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from haechi.domain.cases import MatchEvidence
from haechi.domain.errors import InvalidInput, UnsupportedMedia
from haechi.domain.reports import ItemKind, check_chat_link, check_url, sniff_media_type
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    filename: str = ""


@dataclass(slots=True)
class PreparedItem:
    kind: ItemKind
    signals: dict[str, str]
    url: str | None = None
    chat_link: str | None = None
    data: bytes | None = None
    media_type: str | None = None
    low_quality: list[str] = field(default_factory=list)
    evidence: list[MatchEvidence] = field(default_factory=list)

    def matchable(self) -> dict[str, str]:
        return {k: v for k, v in self.signals.items() if k not in self.low_quality}


def prepare_item(
    kind: ItemKind,
    *,
    url: str | None,
    chat_link: str | None,
    signals: dict[str, Any],
    upload: Upload | None,
    hashing: HashingService,
    banks: BankService,
) -> PreparedItem:
    if kind is ItemKind.FILE:
        if upload is None:
            raise InvalidInput("file items are sent as multipart uploads")
        return _file(upload, hashing)
    if upload is not None:
        raise InvalidInput(f"a {kind.value} item carries no file")
    clean = banks.validate_signals(signals) if signals or kind is ItemKind.HASH else {}
    if kind is ItemKind.HASH:
        return PreparedItem(kind, clean, url=check_url(url) if url else None)
    if kind is ItemKind.URL:
        return PreparedItem(kind, clean, url=check_url(url))
    return PreparedItem(kind, clean, chat_link=check_chat_link(chat_link))


def _file(upload: Upload, hashing: HashingService) -> PreparedItem:
    mime = sniff_media_type(upload.data[:64])
    if mime is None:
        raise UnsupportedMedia(
            "files must be images (PNG, JPEG, GIF, WebP) or videos (MP4, WebM)"
            + (f": '{upload.filename[:100]}' is neither" if upload.filename else "")
        )
    content_type = "video" if mime.startswith("video/") else "photo"
    result = hashing.hash_bytes(upload.data, content_type=content_type)
    return PreparedItem(
        ItemKind.FILE,
        result.values(),
        data=upload.data,
        media_type=mime,
        low_quality=list(result.low_quality),
    )
