"""What a report says and how it is checked before anything is stored.

A report is what one reporter sent: a victim, a member of the public, a regulator, the police or a
trusted flagger. It holds a few items (an uploaded file, a URL, hashes only, a chat link) and the
notice fields of DSA Art. 16: an explanation, the exact location, an optional contact and a
good-faith statement. Anonymous reporters cannot claim a kind that would jump the triage queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from haechi.domain.errors import InvalidInput
from haechi.domain.tenancy import OrgKind


class ReporterKind(StrEnum):
    VICTIM = "victim"
    PUBLIC = "public"
    REGULATOR = "regulator"
    POLICE = "police"
    TRUSTED_FLAGGER = "trusted_flagger"


class ItemKind(StrEnum):
    FILE = "file"
    URL = "url"
    HASH = "hash"
    CHAT_LINK = "chat_link"


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    EMAIL = "email"
    BOT = "bot"
    PHONE = "phone"


#: which reporter kinds each submitter may claim (None: anonymous, over the public form or API)
_CLAIMS: dict[OrgKind | None, frozenset[ReporterKind]] = {
    None: frozenset({ReporterKind.VICTIM, ReporterKind.PUBLIC}),
    OrgKind.REGULATOR: frozenset(
        {ReporterKind.REGULATOR, ReporterKind.VICTIM, ReporterKind.PUBLIC}
    ),
    OrgKind.VICTIM_SUPPORT: frozenset({ReporterKind.VICTIM, ReporterKind.PUBLIC}),
    OrgKind.POLICE: frozenset({ReporterKind.POLICE, ReporterKind.VICTIM, ReporterKind.PUBLIC}),
    OrgKind.PLATFORM: frozenset({ReporterKind.PUBLIC}),
    OrgKind.TRUSTED_FLAGGER: frozenset(
        {ReporterKind.TRUSTED_FLAGGER, ReporterKind.VICTIM, ReporterKind.PUBLIC}
    ),
}

#: organisations a public report may name as its recipient
RECIPIENT_KINDS = frozenset({OrgKind.REGULATOR, OrgKind.VICTIM_SUPPORT})


def check_reporter_kind(value: object, submitter: OrgKind | None) -> ReporterKind:
    try:
        kind = ReporterKind(str(value))
    except ValueError:
        raise InvalidInput(
            f"reporter_kind must be one of {[k.value for k in ReporterKind]}"
        ) from None
    if kind not in _CLAIMS[submitter]:
        who = "an anonymous reporter" if submitter is None else f"a {submitter.value} organisation"
        raise InvalidInput(f"{who} cannot report as '{kind.value}'")
    return kind


# -- validation of a report ------------------------------------------------------------------------

MAX_TEXT = 5000
MAX_SHORT = 200
MAX_URL = 2048
MAX_ITEMS = 20
_CHAT_SCHEMES = ("https", "http", "tg", "sgnl", "simplex")


def text_field(value: object, name: str, *, limit: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    if len(value) > limit:
        raise InvalidInput(f"{name} must be at most {limit} characters")
    return value.strip()


def check_url(
    value: object, name: str = "url", *, schemes: tuple[str, ...] = ("https", "http")
) -> str:
    text = text_field(value, name, limit=MAX_URL, required=True)
    assert text is not None
    parts = urlsplit(text)
    opaque = parts.scheme in ("tg", "sgnl", "simplex")
    if parts.scheme not in schemes or not (
        parts.netloc or (opaque and (parts.path or parts.query))
    ):
        raise InvalidInput(f"{name} must be a full link starting with {' or '.join(schemes)}://")
    return text


def check_chat_link(value: object) -> str:
    """A message or room link: t.me/…, tg://…, signal.group/…, simplex:/… and the like."""
    return check_url(value, "chat_link", schemes=_CHAT_SCHEMES)


@dataclass(frozen=True, slots=True)
class ReportFields:
    """The validated text of a report (DSA Art. 16 notice fields plus where it was seen)."""

    reporter_kind: ReporterKind
    channel: Channel
    explanation: str
    good_faith: bool
    platform: str | None = None
    room: str | None = None
    description: str | None = None
    exact_location: str | None = None
    contact: str | None = None
    #: set by the public guard, never by the reporter: this source sent many pictures today
    bulk_source: bool = False


def check_report(raw: dict[str, Any], submitter: OrgKind | None) -> ReportFields:
    if raw.get("good_faith") is not True:
        raise InvalidInput(
            "good_faith must be true: confirm that the report is accurate and made in good faith"
        )
    try:
        channel = Channel(str(raw.get("channel") or Channel.WEB))
    except ValueError:
        raise InvalidInput(f"channel must be one of {[c.value for c in Channel]}") from None
    explanation = text_field(raw.get("explanation"), "explanation", limit=MAX_TEXT, required=True)
    assert explanation is not None
    return ReportFields(
        reporter_kind=check_reporter_kind(raw.get("reporter_kind"), submitter),
        channel=channel,
        explanation=explanation,
        good_faith=True,
        platform=text_field(raw.get("platform"), "platform", limit=MAX_SHORT),
        room=text_field(raw.get("room"), "room", limit=MAX_URL),
        description=text_field(raw.get("description"), "description", limit=MAX_TEXT),
        exact_location=text_field(raw.get("exact_location"), "exact_location", limit=MAX_URL),
        contact=text_field(raw.get("contact"), "contact", limit=320),
    )


_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
)


def sniff_media_type(data: bytes) -> str | None:
    """The MIME type from a file's first bytes (never from a name or a client's claim)."""
    for magic, offset, mime in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime
    return None
