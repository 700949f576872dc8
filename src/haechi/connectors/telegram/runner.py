"""Starting and stopping the bot: python-telegram-bot's Application pointed at a Bot API server
(Telegram's, a local `telegram-bot-api`, or a test fake), long polling for group messages and the
bot's own membership changes, plus the periodic pass that reports room metadata and empties the
outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, ExtBot, JobQueue

from haechi.connectors.telegram.connector import Context, TelegramConnector

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "my_chat_member"]
TelegramApp = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]


def build_application(token: str, api_url: str, connector: TelegramConnector) -> TelegramApp:
    """The bot, talking to the Bot API at `api_url` (e.g. https://api.telegram.org)."""
    api = api_url.rstrip("/")
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(8)
        .build()
    )
    app.add_handlers(connector.handlers())
    app.add_error_handler(_log_error)
    return app


async def _log_error(update: object, context: Context) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


@contextlib.asynccontextmanager
async def running(
    app: TelegramApp, connector: TelegramConnector, *, poll_timeout_s: int = 30
) -> AsyncIterator[None]:
    """The bot polling for updates until the block ends."""
    async with app:
        await app.start()
        updater = app.updater
        assert updater is not None  # built with the default updater
        await updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout_s, allowed_updates=ALLOWED_UPDATES
        )
        ticker = asyncio.create_task(_ticks(app.bot, connector))
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await updater.stop()
            await app.stop()


async def _ticks(bot: Bot, connector: TelegramConnector) -> None:
    while True:
        try:
            await connector.tick(bot)
        except Exception:
            log.exception("periodic room report failed")
        await asyncio.sleep(connector.config.metadata_interval_s)


async def serve(app: TelegramApp, connector: TelegramConnector) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(app, connector):
        log.info("telegram connector running")
        await stop.wait()
    log.info("telegram connector stopped; %d reports wait in the outbox", len(connector.outbox))
