"""`haechi backup` / `haechi restore` (issue 10): round trip, verification, refusals."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from haechi import bootstrap
from haechi.adapters.sql import table_dump
from haechi.bootstrap import backup as backups
from haechi.domain.errors import Conflict, InvalidInput
from haechi.services.lookup import LookupOptions
from tests.conftest import make_settings
from tests.fixtures import images
from tests.fixtures.cases import bank_photo, seed, upload_report


def _instance(tmp_path: Path) -> tuple[bootstrap.Container, dict[str, int]]:
    settings = make_settings(tmp_path, evidence_key_path=tmp_path / "evidence.pem")
    c = bootstrap.build(settings)
    seed(c)
    content_id = bank_photo(c, "astronaut")
    receipt = upload_report(c, "coffee")
    return c, {"content_id": content_id, "case": len(receipt.case_number)}


def _astronaut_hits(c: bootstrap.Container) -> list[int]:
    hashed = c.hashing.hash_bytes(images.png_bytes("astronaut"), content_type="photo")
    result = c.lookup.lookup_media(hashed, LookupOptions(bypass_coinflip=True))
    return [h.content_id for h in result.matches.get("pdq", [])]


def test_round_trip_restores_data_blobs_audit_and_matching(tmp_path: Path) -> None:
    c, made = _instance(tmp_path / "a")
    before = table_dump.row_counts(c.engine)
    c.close()
    archive = tmp_path / "backup.tar.gz"
    summary = backups.backup(c.settings, archive)
    assert summary.rows == sum(before.values()) and summary.blobs >= 1
    assert not summary.includes_keys
    with tarfile.open(archive) as tar:
        assert not [n for n in tar.getnames() if n.startswith("keys/")]
    manifest = backups.verify(archive)
    assert manifest["tables"] == before

    target = make_settings(tmp_path / "b", evidence_key_path=tmp_path / "b" / "evidence.pem")
    restored = backups.restore(target, archive)
    assert restored.rows == summary.rows and restored.blobs == summary.blobs
    assert restored.audit_entries > 0 and restored.indexed >= 1
    again = bootstrap.build(target)
    try:
        assert table_dump.row_counts(again.engine) == before
        again.matcher.load()
        assert _astronaut_hits(again) == [made["content_id"]]  # the index rebuilt from the DB
        assert again.audit.verify().ok
        blobs = sorted(p.name for p in target.blob_dir.rglob("*") if p.is_file())
        assert blobs == sorted(p.name for p in c.settings.blob_dir.rglob("*") if p.is_file())
        # new rows get fresh ids after the restored ones
        assert again.banks.create_bank("AFTER").name == "AFTER"
    finally:
        again.close()

    with pytest.raises(Conflict, match="not empty"):
        backups.restore(target, archive)
    forced = backups.restore(target, archive, force=True)
    assert forced.rows == summary.rows


def test_verify_detects_tampering_and_keys_only_on_request(tmp_path: Path) -> None:
    c, _ = _instance(tmp_path / "a")
    c.close()
    (tmp_path / "a" / "evidence.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    archive = tmp_path / "with-keys.tar.gz"
    assert backups.backup(c.settings, archive, include_keys=True).includes_keys
    with tarfile.open(archive) as tar:
        assert "keys/evidence-ed25519.pem" in tar.getnames()

    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            assert data is not None
            body = data.read()
            if member.name == "db/bank.jsonl":
                body = body.replace(b'"name":"NATIONAL"', b'"name":"NATIONAL2"')
            member.size = len(body)
            dst.addfile(member, io.BytesIO(body))
    with pytest.raises(InvalidInput, match="corrupt"):
        backups.verify(tampered)
    with pytest.raises(InvalidInput, match="not a readable"):
        backups.verify(tmp_path / "missing.tar.gz")
    target = make_settings(tmp_path / "b")
    with pytest.raises(InvalidInput):
        backups.restore(target, tampered)


def test_cli_backup_verify_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from haechi.cli.main import app

    c, _ = _instance(tmp_path / "a")
    c.close()
    for name, value in {
        "HAECHI_DATABASE_URL": c.settings.database_url,
        "HAECHI_BLOB_DIR": str(c.settings.blob_dir),
        "HAECHI_ENVIRONMENT": "test",
        "HAECHI_EVIDENCE_KEY_PATH": str(tmp_path / "a" / "evidence.pem"),
        "HAECHI_FACE_TEMPLATE_KEY_PATH": str(c.settings.face_template_key_path),
        "HAECHI_BLOCKLIST_KEY_PATH": str(c.settings.blocklist_key_path),
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    archive = tmp_path / "cli.tar.gz"
    made = runner.invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout.splitlines()[0])["rows"] > 0
    checked = runner.invoke(app, ["backup", "verify", str(archive)])
    assert checked.exit_code == 0 and json.loads(checked.stdout)["ok"] is True
    refused = runner.invoke(app, ["restore", str(archive)])  # the source itself is not empty
    assert refused.exit_code == 2 and "not empty" in refused.output
