"""`haechi serve` as a real child process, for the crash tests: started, SIGKILLed, restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from haechi.config import Settings
from tests.conftest import _free_port


def server_env(settings: Settings, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment that gives a child process the same instance as `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAECHI_")}
    env.update(
        HAECHI_ENVIRONMENT="test",
        HAECHI_DATABASE_URL=settings.database_url,
        HAECHI_BLOB_DIR=str(settings.blob_dir),
        HAECHI_FACE_TEMPLATE_KEY_PATH=str(settings.face_template_key_path),
        HAECHI_BLOCKLIST_KEY_PATH=str(settings.blocklist_key_path),
        HAECHI_EVIDENCE_KEY_PATH=str(tmp_path / "evidence-ed25519.pem"),
        HAECHI_INDEX_REFRESH_S="0.2",
        HAECHI_WEBHOOK_DELIVER_INTERVAL_S="0",
        HAECHI_EXCHANGE_SCHEDULE_S="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def haechi(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haechi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class ServerProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> ServerProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "haechi", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what the OS has is what survives."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class InFlight:
    """Counts requests sent and not yet answered, across client threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0

    def __enter__(self) -> InFlight:
        with self._lock:
            self.now += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1
