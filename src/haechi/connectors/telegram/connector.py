"""The Telegram connector's behaviour: hash media posted in groups, act on matches, report rooms.

For each photo, video, GIF or image/video file posted in a group the bot is in: the file is fetched
from the Bot API into memory (never written to disk), hashed here, and the bytes are released; only
the hashes go to haechi's lookup. On a match in an enabled bank the message is deleted when the bot
holds the "delete messages" right (checked with getChatMember, cached briefly), a bilingual notice
is posted, and the room, the post, its hashes and the matched bank content are reported to haechi.
Without the right the bot says so in the group and the report still goes out. A report haechi
cannot take now waits in the outbox; a failed lookup leaves the message alone (haechi is asked
again next time media is posted, and the bot never deletes on a guess).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatMemberOwner, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ChatMemberHandler, ContextTypes, MessageHandler, filters

from haechi.connectors.haechi_api import BankMatch, HaechiClient, HaechiRejected, HaechiUnavailable
from haechi.connectors.telegram.calls import with_retries
from haechi.connectors.telegram.media import MediaRef, media_of
from haechi.connectors.telegram.notice import DEFAULT_HELP, notice_text
from haechi.connectors.telegram.observations import Outbox, post_body, room_body
from haechi.domain.errors import HaechiError

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
GROUPS = frozenset({"group", "supergroup"})
PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


class MediaHasher(Protocol):
    """Hashes of media bytes by signal type (haechi's own hashers, run in this process)."""

    def hash(self, data: bytes, content_type: str) -> dict[str, str]: ...


class Action(StrEnum):
    DELETED = "deleted"
    #: the bot is not an admin with the "delete messages" right in this group
    NOT_PERMITTED = "not_permitted"
    #: Telegram refused (a message older than 48 hours, already deleted, …)
    DELETE_FAILED = "delete_failed"


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    #: the cloud Bot API serves files up to 20 MB; a local Bot API server allows more
    max_download_bytes: int = 20 * 1024 * 1024
    help_text: str = DEFAULT_HELP
    metadata_interval_s: float = 3600.0
    rights_cache_s: float = 60.0
    #: at most one notice a group in this time: a relay room posting dozens of matches must not
    #: turn the bot into a spammer (Telegram allows a bot about 20 messages a minute in a group)
    notice_interval_s: float = 60.0
    hash_workers: int = 2


@dataclass(frozen=True, slots=True)
class Handled:
    """One match and what was done about it (kept for the log and the process's status)."""

    chat_id: int
    message_id: int
    content_ids: tuple[int, ...]
    action: Action
    reported: bool


class TelegramConnector:
    def __init__(
        self,
        *,
        haechi: HaechiClient,
        hasher: MediaHasher,
        config: ConnectorConfig | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self._haechi = haechi
        self._hasher = hasher
        self.config = config or ConnectorConfig()
        self.outbox = outbox or Outbox()
        self.chats: set[int] = set()
        self.handled: deque[Handled] = deque(maxlen=1000)
        #: media files hashed and looked up since start
        self.checked = 0
        self._rights: dict[int, tuple[float, bool]] = {}
        self._noticed: dict[int, float] = {}
        self._hash_slots = asyncio.Semaphore(self.config.hash_workers)

    def handlers(self) -> list[BaseHandler[Update, Context, None]]:
        media = (
            filters.PHOTO
            | filters.VIDEO
            | filters.ANIMATION
            | filters.VIDEO_NOTE
            | filters.Document.IMAGE
            | filters.Document.VIDEO
        )
        return [
            MessageHandler(
                filters.ChatType.GROUPS & filters.UpdateType.MESSAGES & media, self.on_media
            ),
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ]

    async def on_media(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or chat.type not in GROUPS:
            return
        self.chats.add(chat.id)
        ref = media_of(message, self.config.max_download_bytes)
        if ref is None:
            return
        hashes = await self._hash(context.bot, ref)
        if not hashes:
            return
        try:
            matches = await self._matches(hashes)
        except (HaechiUnavailable, HaechiRejected) as e:
            log.error("chat %s message %s: lookup failed, left alone: %s", chat.id, message.id, e)
            return
        self.checked += 1
        if matches:
            await self._act(context.bot, message, hashes, matches)

    async def on_membership(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type not in GROUPS:
            return
        chat_id = change.chat.id
        self._rights.pop(chat_id, None)  # promoted or demoted: ask Telegram again
        if change.new_chat_member.status in PRESENT:
            joined = chat_id not in self.chats
            self.chats.add(chat_id)
            log.info("chat %s: bot is %s", chat_id, change.new_chat_member.status)
            if joined:
                await self._send(await self._room(context.bot, chat_id, change.chat.title))
        else:
            self.chats.discard(chat_id)
            log.info("chat %s: bot removed (%s)", chat_id, change.new_chat_member.status)

    async def tick(self, bot: Bot) -> None:
        """The periodic pass: resend what waits in the outbox, then report every room's metadata."""
        await self.flush()
        for chat_id in sorted(self.chats):
            await self._send(await self._room(bot, chat_id, None))

    async def flush(self) -> None:
        while (body := self.outbox.peek()) is not None:
            try:
                await self._haechi.observe(body)
            except HaechiUnavailable as e:
                log.warning("outbox: %d observations wait for haechi (%s)", len(self.outbox), e)
                return
            except HaechiRejected as e:
                log.error("outbox: haechi refused an observation, dropped: %s", e)
            self.outbox.pop()

    async def _hash(self, bot: Bot, ref: MediaRef) -> dict[str, str]:
        limit = self.config.max_download_bytes
        if ref.size is not None and ref.size > limit:
            log.info("file of %d bytes over the %d-byte limit: not hashed", ref.size, limit)
            return {}
        try:
            file = await with_retries("getFile", lambda: bot.get_file(ref.file_id))
            if file.file_size is not None and file.file_size > limit:
                return {}
            data = await with_retries("download", file.download_as_bytearray)
        except TelegramError as e:
            log.warning("could not fetch file %s: %s", ref.file_id, e)
            return {}
        try:
            if len(data) > limit:
                return {}
            async with self._hash_slots:
                return await asyncio.to_thread(self._hasher.hash, bytes(data), ref.content_type)
        except HaechiError as e:
            log.info("file %s not hashed: %s", ref.file_id, e.message)
            return {}
        finally:
            data.clear()  # the media itself is never kept

    async def _matches(self, hashes: dict[str, str]) -> list[BankMatch]:
        """Matches of every hash; one signal type failing does not hide the others' matches."""
        lookups = (self._haechi.lookup(t, v) for t, v in hashes.items())
        found = await asyncio.gather(*lookups, return_exceptions=True)
        matches = [m for r in found if isinstance(r, list) for m in r]
        failed = [r for r in found if isinstance(r, BaseException)]
        for error in failed:
            if not isinstance(error, HaechiUnavailable | HaechiRejected):
                raise error
            if len(failed) < len(found):
                log.warning("one hash lookup failed, the others were used: %s", error)
        if failed and len(failed) == len(found):
            raise failed[0]
        return matches

    async def _act(
        self, bot: Bot, message: Message, hashes: dict[str, str], matches: list[BankMatch]
    ) -> None:
        chat_id, content_ids = message.chat.id, sorted({m.content_id for m in matches})
        action = await self._remove(bot, chat_id, message.message_id)
        await self._notify(bot, chat_id, removed=action is Action.DELETED)
        body = await self._room(bot, chat_id, message.chat.title)
        body["posts"] = [post_body(message, hashes, content_ids)]
        reported = await self._send(body)
        log.warning(
            "chat %s message %s matched bank content %s: %s, reported: %s",
            chat_id,
            message.message_id,
            content_ids,
            action.value,
            reported,
        )
        self.handled.append(
            Handled(chat_id, message.message_id, tuple(content_ids), action, reported)
        )

    async def _notify(self, bot: Bot, chat_id: int, *, removed: bool) -> None:
        last = self._noticed.get(chat_id)
        if last is not None and time.monotonic() - last < self.config.notice_interval_s:
            return
        self._noticed[chat_id] = time.monotonic()
        text = notice_text(removed=removed, help_text=self.config.help_text)
        try:
            await with_retries("sendMessage", lambda: bot.send_message(chat_id, text))
        except TelegramError as e:
            log.warning("chat %s: notice not posted: %s", chat_id, e)

    async def _remove(self, bot: Bot, chat_id: int, message_id: int) -> Action:
        if not await self._may_delete(bot, chat_id):
            return Action.NOT_PERMITTED
        try:
            await with_retries("deleteMessage", lambda: bot.delete_message(chat_id, message_id))
        except TelegramError as e:
            self._rights.pop(chat_id, None)
            log.warning("chat %s: message %s not deleted: %s", chat_id, message_id, e)
            return Action.DELETE_FAILED
        return Action.DELETED

    async def _may_delete(self, bot: Bot, chat_id: int) -> bool:
        cached = self._rights.get(chat_id)
        if cached is not None and time.monotonic() - cached[0] < self.config.rights_cache_s:
            return cached[1]
        try:
            me = await with_retries("getChatMember", lambda: bot.get_chat_member(chat_id, bot.id))
        except TelegramError as e:
            log.warning("chat %s: could not read the bot's rights: %s", chat_id, e)
            return False
        allowed = isinstance(me, ChatMemberOwner) or (
            isinstance(me, ChatMemberAdministrator) and me.can_delete_messages
        )
        self._rights[chat_id] = (time.monotonic(), allowed)
        return allowed

    async def _room(self, bot: Bot, chat_id: int, title: str | None) -> dict[str, Any]:
        try:
            chat = await with_retries("getChat", lambda: bot.get_chat(chat_id))
            count = await with_retries(
                "getChatMemberCount", lambda: bot.get_chat_member_count(chat_id)
            )
        except TelegramError as e:
            log.warning("chat %s: metadata unavailable: %s", chat_id, e)
            return room_body(None, None, chat_id=chat_id, title=title)
        return room_body(chat, count, chat_id=chat_id, title=title)

    async def _send(self, body: dict[str, Any]) -> bool:
        try:
            await self._haechi.observe(body)
        except HaechiUnavailable as e:
            log.warning("room %s: report kept in the outbox: %s", body["external_id"], e)
            self.outbox.add(body)
            return False
        except HaechiRejected as e:
            log.error("room %s: haechi refused the report: %s", body["external_id"], e)
            return False
        return True
