"""The FastAPI application: HMA-compatible routes at HMA's paths, haechi's own under /api/v1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haechi import __version__
from haechi.domain.errors import MediaTooLarge
from haechi.http import errors, exchange_routes, face_routes, rooms_routes
from haechi.http.api import audit as api_audit
from haechi.http.api import banks as api_banks
from haechi.http.api import cases as api_cases
from haechi.http.api import detections as api_detect
from haechi.http.api import hotline as api_hotline
from haechi.http.api import jobs as api_jobs
from haechi.http.api import le_requests as api_le_requests
from haechi.http.api import matching as api_matching
from haechi.http.api import notices as api_notices
from haechi.http.api import reports as api_reports
from haechi.http.api import scans as api_scans
from haechi.http.api import transparency as api_transparency
from haechi.http.api import videos as api_videos
from haechi.http.api import webhooks as api_webhooks
from haechi.http.context import AppServices
from haechi.http.hma import curation, hashing, matching, status
from haechi.http.hma.fastpath import HotLookups
from haechi.http.idempotency import IdempotencyKeys
from haechi.http.ui import board as ui_board
from haechi.http.ui import hotline as ui_hotline
from haechi.http.ui import jobs as ui_jobs
from haechi.http.ui import le_requests as ui_le_requests
from haechi.http.ui import notice_form as ui_notice_form
from haechi.http.ui import notices as ui_notices
from haechi.http.ui import report_form as ui_report_form
from haechi.http.ui import review as ui_review
from haechi.http.ui import routing_rules as ui_rules
from haechi.http.ui import shell
from haechi.http.ui import transparency as ui_transparency
from haechi.http.ui import victim as ui_victim

STATIC = Path(__file__).resolve().parent / "static"
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class SecureHeaders:
    """Security headers on every response (the UI serves no third-party content)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/docs", "/redoc")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


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
    for module in (status, hashing, matching, curation, api_banks, api_matching, api_audit, shell):
        app.include_router(module.router)
    for notices in (api_notices, api_webhooks, ui_notice_form, ui_notices, ui_board, api_detect):
        app.include_router(notices.router)
    for cases in (api_reports, api_cases, api_hotline, ui_report_form, ui_review, ui_hotline):
        app.include_router(cases.router)
    app.include_router(api_le_requests.router)
    app.include_router(ui_le_requests.router)
    app.include_router(ui_victim.router)
    for tenant_api in (rooms_routes, face_routes, ui_rules, exchange_routes, api_videos):
        app.include_router(tenant_api.router)
    for background in (api_jobs, ui_jobs, api_scans, api_transparency, ui_transparency):
        app.include_router(background.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_middleware(IdempotencyKeys, service=services.idempotency)
    app.add_middleware(SecureHeaders)
    # multipart overhead on top of the largest accepted file
    app.add_middleware(BodyLimit, max_bytes=services.web.max_upload_bytes + 64 * 1024)
    app.add_middleware(HotLookups, services=services)
    return app
