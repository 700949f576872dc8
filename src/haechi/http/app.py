"""The FastAPI application: HMA-compatible routes at HMA's paths, haechi's own under /api/v1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haechi import __version__
from haechi.domain.errors import MediaTooLarge
from haechi.http import errors
from haechi.http.api import banks as api_banks
from haechi.http.api import matching as api_matching
from haechi.http.context import AppServices
from haechi.http.hma import curation, hashing, matching, status
from haechi.http.hma.fastpath import HotLookups


class BodyLimit:
    """Refuse request bodies over a limit, whether or not Content-Length is declared."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise MediaTooLarge("request body too large")
            return message

        await self.app(scope, limited, send)


async def _too_large(send: Send) -> None:
    body = b'{"message":"request body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def build_app(
    services: AppServices, lifespan: Callable[[], AbstractContextManager[None]] | None = None
) -> FastAPI:
    @asynccontextmanager
    async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if lifespan is None:
            yield
            return
        with lifespan():
            yield

    app = FastAPI(
        title="haechi",
        version=__version__,
        description="Hash banks and HMA-compatible matching against deepfake sexual-abuse imagery.",
        lifespan=_lifespan,
    )
    app.state.services = services
    errors.install(app)
    for module in (status, hashing, matching, curation, api_banks, api_matching):
        app.include_router(module.router)
    # multipart overhead on top of the largest accepted file
    app.add_middleware(BodyLimit, max_bytes=services.web.max_upload_bytes + 64 * 1024)
    app.add_middleware(HotLookups, services=services)
    return app
