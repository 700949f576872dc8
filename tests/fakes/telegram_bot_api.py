"""A fake Telegram Bot API server on 127.0.0.1, for testing the connector without Telegram.

It implements the methods the connector uses, with the Bot API's paths and JSON shapes
(`POST /bot<token>/<method>` with form fields, `{"ok": true, "result": …}` answers, files under
`/file/bot<token>/<path>`): getMe, deleteWebhook, getUpdates (long polling over a queue the test
feeds), getFile, getChat, getChatMember, getChatMemberCount, deleteMessage and sendMessage. Every
call is recorded so tests can assert what the bot did; `fail_next` answers one call with 429 and a
`retry_after`, the way Telegram's flood control does. No real Telegram is ever contacted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

TOKEN = "123456789:AAtest-token-for-the-fake-bot-api-0000"
BOT_ID = 123456789
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "haechi", "username": "haechi_test_bot"}
ACCEPTED_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
}
ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ),
    False,
)


@dataclass
class Group:
    id: int
    title: str
    members: int
    bot_can_delete: bool
    username: str | None = None
    invite_link: str | None = None
    description: str | None = None
    messages: set[int] = field(default_factory=set)

    def short(self) -> dict[str, Any]:
        return {"id": self.id, "type": "supergroup", "title": self.title}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _error(code: int, description: str, **parameters: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


class FakeBotApi:
    def __init__(self) -> None:
        self.token = TOKEN
        self.calls: list[Call] = []
        self.groups: dict[int, Group] = {}
        self.files: dict[str, bytes] = {}
        self.fail_next: dict[str, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    # -- what a test does --------------------------------------------------------------------

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.post(f"{self.url}/bot{self.token}/getMe", timeout=1)
                self.calls.clear()
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("fake Bot API did not start")

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def add_group(self, chat_id: int, title: str, members: int, **kw: Any) -> Group:
        group = Group(chat_id, title, members, bot_can_delete=kw.pop("bot_can_delete", True), **kw)
        self.groups[chat_id] = group
        return group

    def bot_joins(self, chat_id: int) -> None:
        """The `my_chat_member` update Telegram sends when an admin adds the bot."""
        group = self.groups[chat_id]
        self._push(
            {
                "my_chat_member": {
                    "chat": group.short(),
                    "from": {"id": 1, "is_bot": False, "first_name": "Admin"},
                    "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": BOT_USER},
                    "new_chat_member": self._bot_member(group),
                }
            }
        )

    def post(
        self, chat_id: int, user: tuple[int, str], media: dict[str, Any], caption: str | None = None
    ) -> int:
        """A user's message with `media` (from `photo()` or `document()`); returns its id."""
        group = self.groups[chat_id]
        message_id = next(self._ids)
        group.messages.add(message_id)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": group.short(),
            "from": {"id": user[0], "is_bot": False, "first_name": "User", "username": user[1]},
            **media,
        }
        if caption is not None:
            message["caption"] = caption
        self._push({"message": message})
        return message_id

    def photo(self, sizes: list[tuple[bytes, int, int]]) -> dict[str, Any]:
        """`photo` field: each (bytes, width, height) becomes one PhotoSize, smallest first."""
        return {"photo": [self._file(data, width=w, height=h) for data, w, h in sizes]}

    def video(self, data: bytes, width: int, height: int, duration: int) -> dict[str, Any]:
        extra = {"width": width, "height": height, "duration": duration, "mime_type": "video/mp4"}
        return {"video": self._file(data, **extra)}

    def document(self, data: bytes, mime_type: str, name: str) -> dict[str, Any]:
        return {"document": self._file(data, mime_type=mime_type, file_name=name)}

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c.params for c in self.calls if c.method == method]

    # -- the server --------------------------------------------------------------------------

    def _file(self, data: bytes, **extra: Any) -> dict[str, Any]:
        n = next(self._ids)
        file_id = f"file-{n}"
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"u{n}", "file_size": len(data), **extra}

    def _push(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append({"update_id": next(self._ids), **update})

    def _bot_member(self, group: Group) -> dict[str, Any]:
        if group.bot_can_delete:
            return {
                "status": "administrator",
                "user": BOT_USER,
                **ADMIN_RIGHTS,
                "can_delete_messages": True,
            }
        return {"status": "member", "user": BOT_USER}

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def method(token: str, method: str, request: Request) -> Response:
            if token != self.token:
                return _error(401, "Unauthorized")
            form = await request.form()
            params = {k: _value(v) for k, v in form.items() if isinstance(v, str)}
            with self._lock:
                self.calls.append(Call(method, params))
                retry_after = self.fail_next.pop(method, None)
            if retry_after is not None:
                return _error(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
            handler = self._handlers().get(method)
            if handler is None:
                return _error(404, "Not Found: method not found")
            if method == "getUpdates":
                return JSONResponse({"ok": True, "result": await self._updates_after(params)})
            return handler(params)

        @app.get("/file/bot{token}/{path:path}")
        def download(token: str, path: str) -> Response:
            data = self.files.get(path.removeprefix("files/"))
            if token != self.token or data is None:
                return _error(404, "Not Found")
            with self._lock:
                self.calls.append(Call("download", {"path": path}))
            return Response(data, media_type="application/octet-stream")

        return app

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], JSONResponse]]:
        return {
            "getMe": lambda p: _ok(BOT_USER),
            "deleteWebhook": lambda p: _ok(True),
            "getUpdates": lambda p: _ok([]),
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatMemberCount": lambda p: self._group(p, lambda g: _ok(g.members)),
            "deleteMessage": self._delete,
            "sendMessage": self._send,
        }

    async def _updates_after(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        while True:
            with self._lock:
                ready = [u for u in self._updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    def _get_file(self, p: dict[str, Any]) -> JSONResponse:
        file_id = str(p.get("file_id"))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": size,
                "file_path": f"files/{file_id}",
            }
        )

    def _group(self, p: dict[str, Any], answer: Callable[[Group], JSONResponse]) -> JSONResponse:
        group = self.groups.get(int(p.get("chat_id", 0)))
        return _error(400, "Bad Request: chat not found") if group is None else answer(group)

    def _get_chat(self, p: dict[str, Any]) -> JSONResponse:
        def full(g: Group) -> JSONResponse:
            info = {
                **g.short(),
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": ACCEPTED_GIFTS,
            }
            for key in ("username", "invite_link", "description"):
                if getattr(g, key) is not None:
                    info[key] = getattr(g, key)
            return _ok(info)

        return self._group(p, full)

    def _get_chat_member(self, p: dict[str, Any]) -> JSONResponse:
        if int(p.get("user_id", 0)) != BOT_ID:
            return _error(400, "Bad Request: only the bot's own membership is faked")
        return self._group(p, lambda g: _ok(self._bot_member(g)))

    def _delete(self, p: dict[str, Any]) -> JSONResponse:
        def delete(g: Group) -> JSONResponse:
            if not g.bot_can_delete:
                return _error(400, "Bad Request: message can't be deleted")
            message_id = int(p.get("message_id", 0))
            if message_id not in g.messages:
                return _error(400, "Bad Request: message to delete not found")
            g.messages.discard(message_id)
            return _ok(True)

        return self._group(p, delete)

    def _send(self, p: dict[str, Any]) -> JSONResponse:
        def send(g: Group) -> JSONResponse:
            message_id = next(self._ids)
            g.messages.add(message_id)
            return _ok(
                {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": g.short(),
                    "from": BOT_USER,
                    "text": str(p.get("text", "")),
                }
            )

        return self._group(p, send)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def running() -> Iterator[FakeBotApi]:
    """For a pytest fixture: `yield from running()`."""
    with FakeBotApi() as fake:
        yield fake
