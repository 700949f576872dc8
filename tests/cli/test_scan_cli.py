"""`haechi scan`: a Ray scan killed midway (SIGKILL) resumes without rescanning a finished file;
`haechi scan status`; the local engine through the same command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.cli.main import app
from haechi.config import Settings
from haechi.domain.scans import RunStatus, ScanRun
from tests.conftest import make_settings
from tests.fixtures import scan_media

runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "HAECHI_DATABASE_URL": settings.database_url,
        "HAECHI_BLOB_DIR": str(settings.blob_dir),
        "HAECHI_ENVIRONMENT": "test",
        "HAECHI_RAY_NUM_CPUS": "2",
        "HAECHI_RAY_OBJECT_STORE_BYTES": str(100 * 1024 * 1024),
        "RAY_USAGE_STATS_ENABLED": "0",
    }


def _wait_for_progress(container: bootstrap.Container, at_least: int, deadline: float) -> ScanRun:
    while time.monotonic() < deadline:
        runs = container.scans.list_runs(limit=1)
        if runs and runs[0].files_done >= at_least:
            return runs[0]
        time.sleep(0.02)
    raise AssertionError("the scan made no progress in time")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the scan and everything it started (Ray's raylet, GCS and workers)."""
    pid = process.pid
    os.killpg(pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("processes of the killed scan survived")


@pytest.mark.slow
def test_a_ray_scan_killed_midway_resumes_without_rescanning(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = scan_media.build_store(tmp_path / "media", background=220)
    total = len(store.files)
    container = bootstrap.build(settings)
    try:
        scan_media.bank_originals(container)
        command = [sys.executable, "-m", "haechi", "scan", "--engine", "ray", "--batch", "4"]
        command.append(str(store.root))
        first = subprocess.Popen(
            command,
            env=_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_for_progress(container, total // 5, time.monotonic() + 180)
        finally:
            _kill_group(first)
        [killed] = container.scans.list_runs()
        assert killed.status is RunStatus.RUNNING
        assert total // 5 <= killed.files_done < total, "killed too late to show a resume"

        resumed = subprocess.run(
            command, env=_env(settings), capture_output=True, text=True, timeout=240, check=False
        )
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        summary: dict[str, Any] = json.loads(resumed.stdout.strip().splitlines()[-1])
        assert summary["run"] == killed.id
        assert summary["already_done"] == killed.files_done
        assert summary["scanned"] == total - killed.files_done
        assert summary["rescanned"] == 0
        assert (summary["matched"], summary["failed"], summary["skipped"]) == (
            len(store.planted),
            1,
            1,
        )
        _assert_each_file_once(container, killed.id, store)
    finally:
        container.close()


def _assert_each_file_once(
    container: bootstrap.Container, run_id: int, store: scan_media.MediaStore
) -> None:
    run = container.scans.get(run_id)
    assert run.status is RunStatus.FINISHED and run.resumes == 1
    files = container.scans.files(run_id, limit=10_000)
    assert sorted(f.path for f in files) == sorted(f"{store.root}/{p}" for p in store.files)
    matched = [f for f in files if f.hits]
    assert {f.path for f in matched} == {f"{store.root}/{p}" for p in store.planted}
    events = [
        e
        for e in container.lookup.recent_events(limit=1000, bank=None)
        if e.requester == f"scan:{run_id}"
    ]
    # one match event per hit: none lost in the kill, none written twice by the resume
    assert sorted((e.query_value, e.content_id) for e in events) == sorted(
        (f.hashes[h.signal_type], h.content_id) for f in matched for h in f.hits
    )


def test_scan_and_status_commands_with_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    for key, value in _env(settings).items():
        if key.startswith("HAECHI_"):
            monkeypatch.setenv(key, value)
    store = scan_media.build_store(tmp_path / "media", background=8)
    container = bootstrap.build(settings)
    scan_media.bank_originals(container)
    container.close()

    result = runner.invoke(app, ["scan", "--workers", "2", str(store.root)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["engine"] == "local" and summary["files"] == len(store.files)
    assert summary["matched"] == len(store.planted) and summary["rescanned"] == 0
    assert summary["files_per_s"] > 0

    listed = runner.invoke(app, ["scan", "status"])
    assert [json.loads(x)["run"] for x in listed.stdout.splitlines()] == [summary["run"]]
    detail = runner.invoke(app, ["scan", "status", str(summary["run"]), "--files", "matched"])
    lines = [json.loads(x) for x in detail.stdout.splitlines()]
    assert lines[0]["status"] == "finished" and lines[0]["done"] == len(store.files)
    assert {x["path"] for x in lines[1:]} == {f"{store.root}/{p}" for p in store.planted}
    assert all(x["hits"][0]["bank"] == "NATIONAL" for x in lines[1:])

    again = runner.invoke(app, ["scan", "--resume", str(summary["run"])])
    assert again.exit_code == 0  # finished: resuming it finds nothing left to do
    assert json.loads(again.stdout.strip().splitlines()[-1])["scanned"] == 0
    missing = runner.invoke(app, ["scan", "--resume", "999"])
    assert missing.exit_code == 3 and "no scan run 999" in missing.output
    assert runner.invoke(app, ["scan", "--engine", "spark", str(store.root)]).exit_code == 2
    assert runner.invoke(app, ["scan", "status", "1", "--files", "all"]).exit_code == 2
    nowhere = runner.invoke(app, ["scan", str(tmp_path / "nowhere")])
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output
    assert len(runner.invoke(app, ["scan", "status"]).stdout.splitlines()) == 1  # no run opened
