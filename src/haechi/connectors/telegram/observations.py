"""The `POST /api/v1/rooms/observations` bodies this connector sends, and the outbox that keeps
them while haechi cannot be reached.

Only matched posts are reported, with their hashes, the poster's Telegram id and handle, the time
and the caption (haechi scans captions for room links and does not store them); unmatched media in
the group is never reported. Room metadata (title, public or invite link, description, member
count) is sent when the bot joins and then periodically.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import ChatFullInfo, Message

log = logging.getLogger(__name__)

PLATFORM = "telegram"


def room_body(
    chat: ChatFullInfo | None, member_count: int | None, *, chat_id: int, title: str | None
) -> dict[str, Any]:
    """A room observation without posts: what the group looks like now (`chat` None: Telegram
    would not say; the id and the title from the update are all there is)."""
    invite = None
    if chat is not None:
        invite = chat.invite_link or (f"https://t.me/{chat.username}" if chat.username else None)
        title = chat.title or title
    return {
        "platform": PLATFORM,
        "external_id": str(chat_id),
        "title": title or str(chat_id),
        "invite_link": invite,
        "member_count": member_count,
        "observed_at": datetime.now(UTC).isoformat(),
        "description": chat.description if chat is not None else None,
        "posts": [],
    }


def post_body(message: Message, hashes: dict[str, str], content_ids: list[int]) -> dict[str, Any]:
    """A matched post: who posted it, when, its hashes and the bank content it matched."""
    account: dict[str, Any] | None = None
    if message.sender_chat is not None:  # anonymous admins and channels post as a chat
        sender = message.sender_chat
        account = {"external_id": str(sender.id), "handle": _handle(sender.username)}
    elif message.from_user is not None:
        user = message.from_user
        account = {"external_id": str(user.id), "handle": _handle(user.username)}
    return {
        "external_id": str(message.message_id),
        "account": account,
        "posted_at": message.date.astimezone(UTC).isoformat(),
        "text": message.caption,
        "hashes": [{"signal_type": k, "value": v} for k, v in sorted(hashes.items())],
        "matched_content_ids": sorted(set(content_ids)),
    }


def _load(path: Path) -> list[dict[str, Any]]:
    """The saved outbox; an unreadable file is set aside (never silently overwritten)."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        aside = path.with_suffix(path.suffix + ".unreadable")
        log.error("outbox %s unreadable (%s): moved to %s", path, e, aside)
        os.replace(path, aside)
        return []
    return [x for x in loaded if isinstance(x, dict)] if isinstance(loaded, list) else []


def _handle(username: str | None) -> str | None:
    return f"@{username}" if username else None


class Outbox:
    """Observations haechi has not accepted yet, oldest first; kept in a JSON file when given one
    so that a restart loses nothing. Bounded: past `limit` the oldest is dropped, loudly."""

    def __init__(self, path: Path | None = None, *, limit: int = 10_000) -> None:
        self._path = path
        self._items: deque[dict[str, Any]] = deque()
        self._limit = limit
        if path is not None and path.exists():
            self._items.extend(_load(path))

    def __len__(self) -> int:
        return len(self._items)

    def add(self, body: dict[str, Any]) -> None:
        self._items.append(body)
        while len(self._items) > self._limit:
            dropped = self._items.popleft()
            log.error("outbox full: dropped the observation of room %s", dropped.get("external_id"))
        self._save()

    def peek(self) -> dict[str, Any] | None:
        return self._items[0] if self._items else None

    def pop(self) -> None:
        if self._items:
            self._items.popleft()
            self._save()

    def _save(self) -> None:
        if self._path is None:
            return
        tmp = self._path.with_suffix(self._path.suffix + ".tmp")
        tmp.write_text(json.dumps(list(self._items)), encoding="utf-8")
        tmp.chmod(0o600)  # posters' Telegram ids: readable by the connector's user only
        os.replace(tmp, self._path)
