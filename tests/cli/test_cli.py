"""The `haechi` command line: hash (offline), bank create/list/import/export, match, demo, db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi.cli.main import app
from tests.db_plugin import database_url
from tests.fixtures import images

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")


def run(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_hash_prints_json_lines_and_reports_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    good.write_bytes(images.png_bytes("astronaut"))
    bad = tmp_path / "b.png"
    bad.write_bytes(b"nope")
    result = runner.invoke(app, ["hash", str(good), str(bad)])
    assert result.exit_code == 4
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert set(lines[0]["hashes"]) == {"pdq", "md5", "sha256"}
    assert lines[0]["quality"]["pdq"] >= 50
    assert "error" in lines[1]


def test_bank_create_import_export_match(tmp_path: Path) -> None:
    run("bank", "create", "CLI_BANK", "--pdq-threshold", "20")
    photo = tmp_path / "p.png"
    photo.write_bytes(images.png_bytes("coffee"))
    hashed = run("hash", str(photo))[0]["hashes"]
    assert isinstance(hashed, dict)
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(f"pdq,note\n{hashed['pdq']},coffee\n")
    assert run("bank", "import", "CLI_BANK", str(csv_file)) == [
        {"rows": 1, "added": 1, "skipped_duplicates": 0}
    ]
    listed = run("bank", "list")
    assert listed[0]["name"] == "CLI_BANK"
    assert listed[0]["items"] == 1
    out = tmp_path / "out.csv"
    run("bank", "export", "CLI_BANK", "--out", str(out))
    assert hashed["pdq"] in out.read_text()
    found = run("match", str(photo))[0]
    assert found["pdq"][0]["bank"] == "CLI_BANK"  # type: ignore[index]
    by_hash = run("match", "--hash", str(hashed["pdq"]))[0]
    assert by_hash["pdq"][0]["distance"] == 0  # type: ignore[index]


def test_errors_map_to_exit_codes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["bank", "create", "bad name"]).exit_code == 2
    assert runner.invoke(app, ["bank", "export", "MISSING"]).exit_code == 3
    assert runner.invoke(app, ["match", "--hash", "zz"]).exit_code == 2


def test_demo_load_is_idempotent() -> None:
    first = run("demo", "load")
    assert first[0]["password"]
    assert next(x for x in first if "bank" in x)["loaded"] >= 5
    second = run("demo", "load")
    assert second == [{"bank": "DEMO_BENIGN", "loaded": 0, "note": "already loaded"}]
    orgs = run("org", "list")
    assert {o["name"] for o in orgs} >= {"KCSC", "Telegram"}


def test_tenants_tokens_and_audit_verify() -> None:
    run("org", "create", "KCSC", "--kind", "regulator", "--tz", "Asia/Seoul")
    result = runner.invoke(
        app,
        ["user", "create", "a@kcsc.example", "--org", "KCSC", "--role", "analyst"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    token = run("token", "create", "--org", "KCSC", "--role", "analyst", "--name", "ci")[0]
    assert str(token["token"]).startswith("hae_")
    assert run("audit", "verify")[0]["ok"] is True
    assert runner.invoke(app, ["org", "create", "X", "--kind", "bogus"]).exit_code == 2


def test_db_downgrade_and_upgrade() -> None:
    run("db", "upgrade")
    run("db", "downgrade", "base")
    run("db", "upgrade")
