"""`haechi transparency report`: writes the organisation's report to a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.cli.main import app
from haechi.config import Settings
from tests.db_plugin import database_url
from tests.fixtures.transparency import seed_month

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))


def test_report_to_json_and_csv_files(tmp_path: Path) -> None:
    c = bootstrap.build(Settings())
    try:
        seed_month(c)
    finally:
        c.close()
    base = ["transparency", "report", "--org", "KCSC", "--from", "2026-10-01", "--to", "2026-11-01"]
    out = tmp_path / "kcsc.json"
    result = runner.invoke(app, [*base, "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = json.loads(out.read_text())
    assert body["figures"]["matches_by_bank"] == {
        "kcsc-deepfake": 7, "stopncii-import": 4, "school-reports": 2,
    }  # fmt: skip
    csv_out = tmp_path / "kcsc.csv"
    result = runner.invoke(app, [*base, "--format", "csv", "--out", str(csv_out)])
    assert result.exit_code == 0, result.output
    assert "Telegram: 4 of 6 within 24 h, slowest 36 h" in csv_out.read_text()
    bad = runner.invoke(app, [*base, "--format", "docx", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "format must be one of" in bad.output
    missing = runner.invoke(app, [*base[:3], "Nobody", *base[4:], "--out", str(out)])
    assert missing.exit_code != 0 and "not found" in missing.output
