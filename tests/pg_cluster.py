"""A throwaway PostgreSQL server for the test suite's PostgreSQL pass (`pytest --db=postgresql`).

`make test` runs the suite twice: on SQLite, then on PostgreSQL. When HAECHI_TEST_POSTGRES_URL names
a server, that one is used; otherwise this module finds the PostgreSQL binaries (Debian puts them in
/usr/lib/postgresql/<major>/bin; `.ci/run` installs them), runs `initdb` into a temporary directory
and starts a private server on 127.0.0.1 with trust authentication and durability switched off
(fsync, full-page writes: nothing here must survive a crash). As root, the server runs as the
`postgres` user, because PostgreSQL refuses to run as root. A server left behind by a run that
was killed (its owner process is gone) is stopped and removed by the next run.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "haechi"


def find_bindir() -> Path | None:
    """Where `initdb` and `pg_ctl` live, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    if explicit := os.environ.get("HAECHI_TEST_PG_BINDIR"):
        candidates.append(Path(explicit))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    if found := shutil.which("initdb"):
        candidates.append(Path(found).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayCluster:
    """initdb + pg_ctl start into a temporary directory; `stop()` removes every trace."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="haechi-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        self.url = f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        user = "postgres" if self._as_postgres else None
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            user=user,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()}\n{tail}")

    def start(self) -> ThrowawayCluster:
        _reap_abandoned(self.bindir, self.root.parent)
        (self.root / "owner.pid").write_text(str(os.getpid()))
        if self._as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=400",
                "-c shared_buffers=64MB",
            ]
        )
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_abandoned(bindir: Path, parent: Path) -> None:
    """Stop and remove throwaway servers whose test run died without cleaning up."""
    for owner in parent.glob("haechi-pg-*/owner.pid"):
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        data = owner.parent / "data"
        if (data / "postmaster.pid").exists():
            user = "postgres" if os.geteuid() == 0 else None
            subprocess.run(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                user=user,
                capture_output=True,
                check=False,
            )
        shutil.rmtree(owner.parent, ignore_errors=True)
