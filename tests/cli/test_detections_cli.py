"""`haechi detections list|backfill`: media reported while no detector ran get scored later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.cli.main import app
from tests.conftest import make_settings
from tests.db_plugin import database_url
from tests.fixtures import cases

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_FACE_MATCHING", "false")
    monkeypatch.setenv("HAECHI_DETECTORS_ENABLED", '["provenance"]')


def test_backfill_scores_media_reported_before_detectors_ran(tmp_path: Path) -> None:
    before = bootstrap.build(make_settings(tmp_path, detectors_enabled=[], face_matching=False))
    try:
        cases.seed(before)
        number = cases.upload_report(before, "coffee").case_number
    finally:
        before.close()
    listed = runner.invoke(app, ["detections", "list"])
    assert listed.exit_code == 0, listed.output
    lines = [json.loads(x) for x in listed.stdout.splitlines() if x.startswith("{")]
    assert (lines[0]["name"], lines[0]["running"]) == ("provenance", True)
    result = runner.invoke(app, ["detections", "backfill", "--run"])
    assert result.exit_code == 0, result.output
    assert "queued 1 item(s)" in result.stdout and "ran 1 detection job(s)" in result.stdout
    again = runner.invoke(app, ["detections", "backfill"])
    assert "queued 0 item(s)" in again.stdout
    after = bootstrap.build(make_settings(tmp_path, detectors_enabled=["provenance"]))
    try:
        analyst = cases.principal(after, "analyst@kcsc.example")
        found = after.detection.service.for_case(analyst, number).results
        assert [r.detector for rs in found.values() for r in rs] == ["provenance"]
    finally:
        after.close()
