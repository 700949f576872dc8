"""`Idempotency-Key` on unsafe requests (issue 10): a retry gets the first attempt's response.

A POST/PUT/PATCH/DELETE carrying the header is run at most once per (caller, key): the caller is
the SHA-256 of its Authorization header ("anonymous" without one; such keys are still bound to the
exact request body). The first response is stored before it is sent, and repeats get it back with
`Idempotent-Replayed: true`. The same key with a different method, path, query or body is refused
(422; a multipart body's random boundary is left out of the comparison); a repeat while the first
attempt runs gets 409. See services/idempotency.py for what
happens after a crash.
"""

from __future__ import annotations

import hashlib
import json

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haechi.domain.errors import MediaTooLarge
from haechi.services.idempotency import (
    CURRENT_ATTEMPT,
    Attempt,
    IdempotencyService,
    Refused,
    Replay,
    RequestKey,
)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = b"idempotency-key"
#: response headers worth replaying (others, like dates and security headers, are added afresh)
KEPT = frozenset({"content-type", "location", "www-authenticate", "retry-after"})


class IdempotencyKeys:
    def __init__(self, app: ASGIApp, service: IdempotencyService | None) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if self.service is None or HEADER not in headers or scope.get("method") not in UNSAFE:
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except MediaTooLarge:
            await _send(send, 413, {"message": "request body too large"}, [])
            return
        request = _request_key(scope, headers, body)
        outcome = await run_in_threadpool(self.service.begin, request)
        if isinstance(outcome, Refused):
            error = {"message": outcome.message, "error": outcome.error}
            await _send(send, outcome.status_code, error, [])
        elif isinstance(outcome, Replay):
            await _replay(send, outcome)
        else:
            await self._first_attempt(scope, body, send, outcome)

    async def _first_attempt(self, scope: Scope, body: bytes, send: Send, attempt: Attempt) -> None:
        assert self.service is not None
        messages: list[Message] = []
        sent_body = False

        async def replay_body() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            messages.append(message)

        token = CURRENT_ATTEMPT.set(attempt)
        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            CURRENT_ATTEMPT.reset(token)
            await run_in_threadpool(self.service.finish, attempt, 500, (), b"")
            raise
        CURRENT_ATTEMPT.reset(token)
        status, kept, content = _captured(messages)
        # stored BEFORE it is sent: nothing is acknowledged that a retry could not replay
        await run_in_threadpool(self.service.finish, attempt, status, kept, content)
        for message in messages:
            await send(message)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _request_key(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> RequestKey:
    credential = headers.get(b"authorization")
    caller = hashlib.sha256(credential).hexdigest() if credential else "anonymous"
    method, path = str(scope["method"]), str(scope["path"])
    body = _without_boundary(headers.get(b"content-type", b""), body)
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), scope.get("query_string", b""), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    key = headers[HEADER].decode("latin-1").strip()
    return RequestKey(caller, key, method, path[:1000], digest.hexdigest())


def _without_boundary(content_type: bytes, body: bytes) -> bytes:
    """A multipart body minus its boundary: clients pick a new random one on each retry."""
    if not content_type.lower().startswith(b"multipart/"):
        return body
    for param in content_type.split(b";")[1:]:
        name, _, value = param.strip().partition(b"=")
        if name.lower() == b"boundary" and value.strip(b'"'):
            return body.replace(value.strip(b'"'), b"")
    return body


def _captured(messages: list[Message]) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    status = 500
    kept: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    for message in messages:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for name, value in message.get("headers", []):
                if name.decode("latin-1").lower() in KEPT:
                    kept.append((name.decode("latin-1").lower(), value.decode("latin-1")))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    return status, tuple(kept), b"".join(chunks)


async def _replay(send: Send, replay: Replay) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in replay.headers]
    headers += [
        (b"idempotent-replayed", b"true"),
        (b"content-length", str(len(replay.body)).encode()),
    ]
    await send({"type": "http.response.start", "status": replay.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": replay.body})


async def _send(
    send: Send, status: int, payload: dict[str, str], extra: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
