"""Shared fixtures: a fresh database per test, the app in-process, and a real server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from haechi import bootstrap
from haechi.config import Settings

# --db=sqlite|postgresql, the per-test PostgreSQL databases and the `postgres` marker
pytest_plugins = ["tests.db_plugin"]


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "blob_dir": tmp_path / "blobs",
        "index_refresh_s": 0.05,
        "face_template_key_path": tmp_path / "face-template.key",
        "blocklist_key_path": tmp_path / "blocklist-ed25519.pem",
    }
    values.update(overrides)
    if "database_url" not in values:
        from tests.db_plugin import database_url  # a plugin: imported by pytest first

        values["database_url"] = database_url(tmp_path)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    built = bootstrap.build(settings)
    built.matcher.load()
    yield built
    built.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = bootstrap.create_app(settings)
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client for the live server, the way an existing HMA client would talk to it."""
    with httpx.Client(base_url=live_server.url, timeout=30, follow_redirects=False) as c:
        yield c
