"""`haechi connector telegram`: refuses unsafe or incomplete set-ups with a clear message, and as a
real process deletes a matched picture in the fake Bot API, then stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi.cli.main import app
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fakes import telegram_bot_api
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fixtures import images
from tests.fixtures.cases import bank_photo, seed

runner = CliRunner()
CHAT = -1005550001111


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    yield from telegram_bot_api.running()


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["connector", "telegram", *args], env=env)
    return result.exit_code, result.output


def test_plain_http_to_another_host_is_refused() -> None:
    code, output = _invoke("--haechi-url", "http://haechi.example.org")
    assert code == 2
    assert "plain HTTP" in output


def test_missing_tokens_are_named() -> None:
    env = {"HAECHI_CONNECTOR_TOKEN": "", "TELEGRAM_BOT_TOKEN": "x"}
    code, output = _invoke("--haechi-url", "https://haechi.example.org", env=env)
    assert code == 2
    assert "HAECHI_CONNECTOR_TOKEN" in output


def test_the_command_deletes_a_matched_picture_and_stops_on_sigterm(
    live_server: LiveServer, fake: FakeBotApi, tmp_path: Path
) -> None:
    c = live_server.app.state.container
    seed(c)
    bank_photo(c, "astronaut")
    token = c.auth.create_token(org="Telegram", name="bot", roles=frozenset({Role.PLATFORM_AGENT}))
    fake.add_group(CHAT, "Sample", 10)
    env = {
        **os.environ,
        "HAECHI_ENVIRONMENT": "test",
        "HAECHI_CONNECTOR_TOKEN": token,
        "TELEGRAM_BOT_TOKEN": fake.token,
    }
    command = [sys.executable, "-m", "haechi", "connector", "telegram"]
    command += ["--haechi-url", live_server.url, "--api-url", fake.url]
    command += ["--outbox", str(tmp_path / "outbox.json")]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        jpeg = images.recompressed(images.png_bytes("astronaut"), quality=70)
        message_id = fake.post(CHAT, (7, "someone"), fake.photo([(jpeg, 512, 512)]))
        deadline = time.monotonic() + 60
        while not fake.called("deleteMessage") and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert [d["message_id"] for d in fake.called("deleteMessage")] == [message_id], stderr
    assert process.returncode == 0, stderr
    assert "telegram connector stopped" in stderr, stderr
    # httpx's request lines would carry the bot token
    assert fake.token not in stderr, stderr.replace(fake.token, "<TOKEN>")
