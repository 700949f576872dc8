"""Helpers shared by the benchmarks: output JSON under .bench/, print ratios, run a server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".bench"


def write_result(name: str, payload: dict[str, Any]) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`haechi serve` in a subprocess, on its own database, for HTTP benchmarks."""

    def __init__(self, db: Path, *, workers: int = 1, refresh_s: float = 0.25) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            HAECHI_DATABASE_URL=f"sqlite:///{db}",
            HAECHI_INDEX_REFRESH_S=str(refresh_s),
            HAECHI_ENVIRONMENT="test",
        )
        self.cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "haechi.bootstrap:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=ROOT)
        wait_for_status(self.url, timeout_s=120)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}x" if peer else "n/a"


def wait_for_status(url: str, *, timeout_s: float) -> None:
    """Poll `url`/status until it answers 200 (a server just started), or raise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/status", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not start")
