"""Distribution rooms: invite links of each app, room identity, institution tags, migration rules.

Perpetrators announce a new room before the old one is taken down ("we moved: signal.group/#…").
`find_links` reads such links from messages and room descriptions with one pattern list per app
(Telegram, Signal, SimpleX, Viber, Discord, WhatsApp, KakaoTalk open chat, LINE by default; more
can be configured). Each link is normalised to a key that names the room on its platform, so the
same room mentioned as `t.me/joinchat/X` and `https://t.me/+X` is one room.

A room is identified by (platform, external id). A room known only from a link has the external
id `link:<key>` until a connector observes it and tells its real id.

A migration is a link posted in (or in the description of) a room to a *different* room. It is an
alert when the source room is flagged (linked to a case or to confirmed material) and the link is
new for that room.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from haechi.domain.errors import InvalidInput

MAX_TAGS = 20
MAX_TITLE = 400
MAX_EXTERNAL_ID = 256
MAX_TEXT_SCAN = 20_000
_TAG = re.compile(r"[\w.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class LinkPattern:
    """One app's invite-link syntax: a regex with a named group `key` (the room's name there)."""

    platform: str
    regex: str

    def compiled(self) -> re.Pattern[str]:
        try:
            pattern = re.compile(self.regex, re.IGNORECASE)
        except re.error as e:
            raise InvalidInput(f"room link pattern for {self.platform}: {e}") from None
        if "key" not in pattern.groupindex:
            raise InvalidInput(f"room link pattern for {self.platform} needs a (?P<key>…) group")
        return pattern


_HTTP = r"(?:https?://)?(?:www\.)?"
DEFAULT_PATTERNS: tuple[LinkPattern, ...] = (
    LinkPattern(
        "telegram",
        _HTTP + r"(?:t\.me|telegram\.me|telegram\.dog)/"
        r"(?P<key>\+[\w-]+|joinchat/[\w-]+|c/\d+|[a-z]\w{3,31})(?![\w-])",
    ),
    LinkPattern("telegram", r"tg://(?:join\?invite=|resolve\?domain=)(?P<key>[\w-]+)"),
    LinkPattern("signal", r"(?:https?|sgnl)://signal\.group/#(?P<key>[\w-]+)"),
    #: a Signal username link (a person, not a group: members are told whom to message)
    LinkPattern("signal", r"(?:https?|sgnl)://signal\.me/#(?:eu|p)/(?P<key>[\w.+%-]+)"),
    LinkPattern(
        "simplex",
        r"(?:https?://(?:www\.)?simplex\.chat/|simplex:/)(?P<key>(?:contact|invitation|g)#[^\s<>\"']+)",
    ),
    LinkPattern("viber", _HTTP + r"invite\.viber\.com/\?g2?=(?P<key>[\w-]+)"),
    LinkPattern("discord", _HTTP + r"(?:discord\.gg|discord(?:app)?\.com/invite)/(?P<key>[\w-]+)"),
    LinkPattern("whatsapp", _HTTP + r"chat\.whatsapp\.com/(?:invite/)?(?P<key>\w+)"),
    LinkPattern("kakaotalk", _HTTP + r"open\.kakao\.com/o/(?P<key>\w+)"),
    LinkPattern("line", _HTTP + r"line\.me/(?:R/)?ti/g2?/(?P<key>[\w-]+)"),
)
#: URL-style patterns above, to rebuild a clean link from a key
_CANONICAL = {
    "telegram": "https://t.me/{key}",
    "signal": "https://signal.group/#{key}",
    "viber": "https://invite.viber.com/?g2={key}",
    "discord": "https://discord.gg/{key}",
    "whatsapp": "https://chat.whatsapp.com/{key}",
    "kakaotalk": "https://open.kakao.com/o/{key}",
    "line": "https://line.me/R/ti/g/{key}",
}


def parse_patterns(lines: list[str]) -> tuple[LinkPattern, ...]:
    """Extra patterns from the settings, each `platform=regex`, after the defaults."""
    extra = []
    for line in lines:
        platform, sep, regex = line.partition("=")
        if not sep or not platform.strip() or not regex.strip():
            raise InvalidInput(f"room link pattern must read platform=regex: {line[:80]}")
        pattern = LinkPattern(check_platform(platform), regex.strip())
        pattern.compiled()
        extra.append(pattern)
    return DEFAULT_PATTERNS + tuple(extra)


@dataclass(frozen=True, slots=True)
class RoomLink:
    """A normalised link to a room: `key` names it on `platform`; `url` is shown and blocklisted."""

    platform: str
    key: str
    url: str

    @property
    def link_key(self) -> str:
        return f"{self.platform}:{self.key}"


def _normalise(platform: str, key: str, matched: str) -> RoomLink:
    if platform == "telegram":
        if matched.lower().startswith("tg://join"):
            key = "+" + key
        elif key.lower().startswith("joinchat/"):
            key = "+" + key[len("joinchat/") :]
        elif not key.startswith(("+", "c/")):
            key = key.lower()
    if platform == "signal" and "signal.me/" in matched.lower():
        return RoomLink(platform, f"me:{key}", _with_scheme(matched))
    if platform == "simplex":
        kind, _, fragment = key.partition("#")
        digest = hashlib.sha256(fragment.encode()).hexdigest()[:32]
        url = (
            matched if "://" in matched or matched.startswith("simplex:") else "https://" + matched
        )
        return RoomLink(platform, f"{kind.lower()}:{digest}", url)
    template = _CANONICAL.get(platform)
    url = template.format(key=key) if template else _with_scheme(matched)
    return RoomLink(platform, key, url)


def _with_scheme(text: str) -> str:
    return text if "://" in text else "https://" + text


def find_links(text: str | None, patterns: tuple[LinkPattern, ...]) -> list[RoomLink]:
    """Every room link in `text`, normalised, in order of appearance, each once."""
    if not text:
        return []
    text = text[:MAX_TEXT_SCAN]
    found: list[tuple[int, RoomLink]] = []
    for pattern in patterns:
        for match in pattern.compiled().finditer(text):
            link = _normalise(pattern.platform, match.group("key"), match.group(0))
            found.append((match.start(), link))
    found.sort(key=lambda pair: pair[0])
    seen: dict[str, RoomLink] = {}
    for _, link in found:
        seen.setdefault(link.link_key, link)
    return list(seen.values())


def parse_link(value: str, patterns: tuple[LinkPattern, ...]) -> RoomLink | None:
    links = find_links(value, patterns)
    return links[0] if links else None


# -- rooms -------------------------------------------------------------------------------------


def check_platform(value: str) -> str:
    text = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9_.-]{2,32}", text):
        raise InvalidInput("platform must be 2-32 letters, digits, '.', '_' or '-'")
    return text


def check_external_id(value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_EXTERNAL_ID or any(ord(c) < 32 for c in text):
        raise InvalidInput(f"external_id must be 1-{MAX_EXTERNAL_ID} printable characters")
    return text


def normalise_tag(value: str) -> str:
    """An institution tag: `School:Sample High` → `school:sample-high` (`unit:…`, `region:…`)."""
    text = re.sub(r"\s+", "-", value.strip().lower())
    if not _TAG.fullmatch(text):
        raise InvalidInput(
            f"tag must be 1-64 letters, digits, '.', ':', '_' or '-' (e.g. school:sample-high): "
            f"{value[:80]}"
        )
    return text


def normalise_tags(values: list[str]) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(normalise_tag(v) for v in values if v.strip()))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"a room carries at most {MAX_TAGS} tags")
    return tags


def link_only_id(link: RoomLink) -> str:
    return f"link:{link.key}"


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    platform: str
    external_id: str
    title: str
    invite_link: str | None
    link_key: str | None
    member_count: int | None
    first_seen_at: float
    last_seen_at: float
    tags: tuple[str, ...] = ()
    case_ids: tuple[int, ...] = ()
    confirmed_items: int = 0

    @property
    def flagged(self) -> bool:
        """Linked to a case or known to have spread confirmed material."""
        return bool(self.case_ids) or self.confirmed_items > 0

    @property
    def link_only(self) -> bool:
        return self.external_id.startswith("link:")


@dataclass(frozen=True, slots=True)
class Migration:
    id: int
    from_room_id: int
    to_room_id: int
    link: str
    seen_at: float
    post_id: int | None = None


@dataclass(frozen=True, slots=True)
class RoomAlert:
    id: int
    case_id: int
    org_id: int
    migration: Migration
    created_at: float
    from_title: str = ""
    to_title: str = ""
    to_platform: str = ""
    detail: dict[str, str] = field(default_factory=dict)


def migration_targets(room: Room, links: list[RoomLink]) -> list[RoomLink]:
    """Links that point away from `room` (a room's own invite link is not a migration)."""
    own = room.link_key
    return [
        link
        for link in links
        if link.link_key != own
        and not (link.platform == room.platform and link_only_id(link) == room.external_id)
    ]
