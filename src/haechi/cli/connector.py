"""`haechi connector telegram`: run the Telegram bot as its own process.

It needs two secrets, both read from environment variables named on the command line so that they
never show in `ps` or shell history: haechi's token of a platform organisation (for lookups and
room reports) and the bot's token from @BotFather. haechi is reached over HTTPS; plain HTTP is
accepted only for a haechi on this machine (loopback), unless --insecure-http says otherwise.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from haechi import bootstrap
from haechi.config import Settings

if TYPE_CHECKING:
    from haechi.connectors.telegram.connector import ConnectorConfig

connector_app = typer.Typer(help="Connectors that watch messaging platforms.", no_args_is_help=True)


def _secret(env_name: str, what: str) -> str:
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise typer.BadParameter(f"{what}: environment variable {env_name} is empty or unset")
    return value


def _require_telegram() -> None:
    try:
        import telegram  # noqa: F401
    except ImportError as e:
        raise typer.BadParameter(
            "python-telegram-bot is not installed: pip install 'haechi[telegram]'"
        ) from e


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, insecure_http: bool) -> str:
    """haechi's base URL: https, or http to loopback (or anywhere with --insecure-http)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise typer.BadParameter(f"--haechi-url must be an http(s) URL, not {url!r}")
    if parts.scheme == "http" and not insecure_http and not _loopback(parts.hostname):
        raise typer.BadParameter(
            "--haechi-url uses plain HTTP to another machine: the token and the reports would "
            "travel in clear; use https (or --insecure-http on a private network)"
        )
    return url.rstrip("/")


@connector_app.command("telegram")
def telegram(
    haechi_url: Annotated[str, typer.Option(help="haechi's base URL, e.g. https://haechi.example")],
    token_env: Annotated[
        str, typer.Option(help="variable holding a platform organisation's haechi token")
    ] = "HAECHI_CONNECTOR_TOKEN",  # noqa: S107 - a variable name, not a secret
    bot_token_env: Annotated[
        str, typer.Option(help="variable holding the bot's token from @BotFather")
    ] = "TELEGRAM_BOT_TOKEN",  # noqa: S107 - a variable name, not a secret
    api_url: Annotated[
        str, typer.Option(help="Bot API server (a local telegram-bot-api server works too)")
    ] = "https://api.telegram.org",
    metadata_interval: Annotated[
        float, typer.Option(min=10.0, help="seconds between room metadata reports")
    ] = 3600.0,
    max_download_mb: Annotated[
        int, typer.Option(min=1, max=2000, help="larger files are not hashed (cloud Bot API: 20)")
    ] = 20,
    video_vpdq: Annotated[bool, typer.Option(help="also compute vPDQ of videos (CPU)")] = True,
    victim_help: Annotated[
        str | None, typer.Option(help="victim-support lines for the group notice")
    ] = None,
    outbox: Annotated[
        Path | None, typer.Option(help="file keeping reports haechi has not taken yet")
    ] = None,
    insecure_http: Annotated[bool, typer.Option(help="allow http:// to another host")] = False,
) -> None:
    """Run the Telegram bot: hash group media, delete matches, report rooms to haechi."""
    _require_telegram()
    from haechi.connectors.telegram.connector import ConnectorConfig
    from haechi.connectors.telegram.notice import DEFAULT_HELP

    url = check_url(haechi_url, insecure_http=insecure_http)
    token, bot_token = _secret(token_env, "haechi token"), _secret(bot_token_env, "bot token")
    config = ConnectorConfig(
        max_download_bytes=max_download_mb * 1024 * 1024,
        help_text=victim_help or DEFAULT_HELP,
        metadata_interval_s=metadata_interval,
    )
    _run_telegram(url, token, bot_token, api_url, config, video_vpdq=video_vpdq, outbox=outbox)


def _run_telegram(
    url: str,
    token: str,
    bot_token: str,
    api_url: str,
    config: ConnectorConfig,
    *,
    video_vpdq: bool,
    outbox: Path | None,
) -> None:
    from haechi.connectors.haechi_api import HaechiClient
    from haechi.connectors.hashing import ServiceHasher
    from haechi.connectors.telegram.connector import TelegramConnector
    from haechi.connectors.telegram.observations import Outbox
    from haechi.connectors.telegram.runner import build_application, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token
    hasher = ServiceHasher(bootstrap.local_hashing(Settings()), video_vpdq=video_vpdq)

    async def main() -> None:
        client = HaechiClient(url, token)
        connector = TelegramConnector(
            haechi=client, hasher=hasher, config=config, outbox=Outbox(outbox)
        )
        try:
            await serve(build_application(bot_token, api_url, connector), connector)
        finally:
            await client.aclose()

    asyncio.run(main())
