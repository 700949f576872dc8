"""What a connector or an analyst's export says about a room at one moment: the input contract.

`POST /api/v1/rooms/observations` takes exactly this shape (see `Observation`); chat-export
imports are turned into it. `checked()` enforces the limits and canonical forms so that nothing
malformed reaches the store: a bad observation is refused whole, with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from haechi.domain.errors import InvalidInput
from haechi.domain.rooms import MAX_TITLE, check_external_id, check_platform

MAX_POSTS = 2000
MAX_HASHES = 32
MAX_MEMBERS = 100_000_000
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True, slots=True)
class ObservedAccount:
    external_id: str
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class ObservedPost:
    external_id: str
    posted_at: float
    account: ObservedAccount | None = None
    text: str | None = None
    #: (signal type, value) pairs, canonicalised by the service
    hashes: tuple[tuple[str, str], ...] = ()
    matched_content_ids: tuple[int, ...] = ()

    def checked(self, where: str) -> ObservedPost:
        external_id = _field(where, "external_id", check_external_id, self.external_id)
        if len(self.hashes) > MAX_HASHES:
            raise InvalidInput(f"{where}: at most {MAX_HASHES} hashes a post")
        account = self.account
        if account is not None:
            ext = _field(where, "account.external_id", check_external_id, account.external_id)
            handle = (account.handle or "").strip()[:256] or None
            account = ObservedAccount(ext, handle)
        if any(i < 1 for i in self.matched_content_ids):
            raise InvalidInput(f"{where}: matched_content_ids are positive ids")
        text = self.text[:MAX_DESCRIPTION] if self.text else None
        return replace(self, external_id=external_id, account=account, text=text)


@dataclass(frozen=True, slots=True)
class Observation:
    platform: str
    external_id: str
    title: str
    observed_at: float
    invite_link: str | None = None
    member_count: int | None = None
    description: str | None = None
    posts: tuple[ObservedPost, ...] = ()

    def checked(self) -> Observation:
        platform = _field("room", "platform", check_platform, self.platform)
        external_id = _field("room", "external_id", check_external_id, self.external_id)
        title = " ".join(self.title.split())[:MAX_TITLE] or external_id
        if self.member_count is not None and not 0 <= self.member_count <= MAX_MEMBERS:
            raise InvalidInput(f"room: member_count must be 0-{MAX_MEMBERS}")
        if len(self.posts) > MAX_POSTS:
            raise InvalidInput(f"room: at most {MAX_POSTS} posts an observation")
        posts = tuple(p.checked(f"posts[{i}]") for i, p in enumerate(self.posts))
        seen: set[str] = set()
        for i, post in enumerate(posts):
            if post.external_id in seen:
                raise InvalidInput(f"posts[{i}]: external_id {post.external_id!r} appears twice")
            seen.add(post.external_id)
        invite = (self.invite_link or "").strip() or None
        description = (self.description or "")[:MAX_DESCRIPTION] or None
        return replace(
            self,
            platform=platform,
            external_id=external_id,
            title=title,
            invite_link=invite,
            description=description,
            posts=posts,
        )


def _field(where: str, name: str, check: object, value: str) -> str:
    assert callable(check)
    try:
        result = check(value)
    except InvalidInput as e:
        raise InvalidInput(f"{where}: {name}: {e.message}") from None
    return str(result)


def parse_instant(value: object, what: str) -> float:
    """UTC seconds from ISO-8601 (a zone is required, `Z` is fine) or from Unix seconds."""
    if isinstance(value, bool):
        raise InvalidInput(f"{what}: not a time")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value or "").strip()
        if text.replace(".", "", 1).isdigit():
            seconds = float(text)
        else:
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput(f"{what}: not an ISO-8601 time: {text[:40]!r}") from None
            if moment.tzinfo is None:
                raise InvalidInput(f"{what}: give a time zone (e.g. 2026-03-01T09:00:00+09:00)")
            seconds = moment.timestamp()
    if not 946_684_800 <= seconds <= 4_102_444_800:  # 2000 .. 2100
        raise InvalidInput(f"{what}: time out of range")
    return seconds
