"""Evidence packages: export, offline verification, and failure for every kind of tampering."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from haechi.adapters.signing import PublicKey
from haechi.bootstrap import Container
from haechi.cli.main import app
from haechi.domain.errors import Forbidden, NotFound
from haechi.domain.evidence import VerifyReport, check_segment, verify_package
from haechi.domain.hotline import MessageDraft
from haechi.services.hotline import Upload
from haechi.services.review import DecisionInput
from tests.fixtures.cases import BANK, bank_photo, principal, seed, upload_report


@pytest.fixture
def c(container: Container) -> Container:
    seed(container)
    return container


@pytest.fixture
def package(c: Container) -> tuple[str, bytes]:
    bank_photo(c, "astronaut")
    c.matcher.refresh()
    number = upload_report(c, "astronaut").case_number
    analyst = principal(c, "analyst@kcsc.example")
    item = c.review.case(analyst, number).items[0]
    statement = {"illegal_content_legal_ground": "Art. 14-2", "illegal_content_explanation": "fake"}
    statement["decision_facts"] = "Reviewed by a person: a sexual deepfake of the reporter."
    c.review.decide(
        analyst, number, item.id, DecisionInput("confirm_illegal", None, None, statement)
    )
    c.review.share(analyst, number, "KNPA")
    warrant = Upload("warrant.pdf", "application/pdf", b"%PDF warrant")
    c.hotline.threads.post(analyst, number, MessageDraft("Please preserve."), [warrant])
    return number, c.hotline.evidence.export(analyst, number)


def _verify(c: Container, data: bytes, pem: bytes | None = None) -> VerifyReport:
    key = PublicKey(pem or c.hotline.evidence.public_key_pem())
    return verify_package(data, key_id=key.key_id, check=key.check)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_export_verifies_and_records_its_own_custody(
    c: Container, package: tuple[str, bytes]
) -> None:
    _number, data = package
    report = _verify(c, data)
    assert report.ok, report.problems
    files = _files(data)
    names = set(files)
    assert {
        "case.json",
        "items.json",
        "decisions.json",
        "notices.json",
        "le_requests.json",
    } <= names
    assert {"messages.json", "match_events.json", "audit/segment.json"} <= names
    assert any(n.startswith("attachments/") for n in names)
    items = json.loads(files["items.json"])
    assert items[0]["match_evidence"][0]["bank"] == BANK and items[0]["signals"]
    assert json.loads(files["decisions.json"])[0]["statement_of_reasons"]
    assert "contact" not in files["case.json"].decode()
    custody = report.manifest["custody"]
    analyst = principal(c, "analyst@kcsc.example")
    assert (custody["actor"], custody["org"]) == (analyst.actor, "KCSC")
    with c.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=10_000)
    export = next(e for e in entries if e.action == "evidence.export")
    assert (export.seq, export.hash) == (custody["audit_seq"], custody["audit_hash"])
    segment = json.loads(files["audit/segment.json"])
    actions = {e["action"] for e in segment["entries"]}
    assert {"decision.create", "case.share", "hotline.post", "evidence.export"} <= actions


def test_only_orgs_that_see_the_case_export(c: Container, package: tuple[str, bytes]) -> None:
    number, _ = package
    with pytest.raises(NotFound):
        c.hotline.evidence.export(principal(c, "flag@flagger.example"), number)
    with pytest.raises(Forbidden):  # a platform agent's role reads no cases at all
        c.hotline.evidence.export(principal(c, "agent@tg.example"), number)
    assert _verify(c, c.hotline.evidence.export(principal(c, "cop@knpa.example"), number)).ok


def test_tampered_file_fails(c: Container, package: tuple[str, bytes]) -> None:
    files = _files(package[1])
    files["messages.json"] = files["messages.json"].replace(b"preserve", b"delete!!")
    report = _verify(c, _zip(files))
    assert report.problems == ["messages.json: SHA-256 does not match the manifest (file altered)"]


def test_added_or_removed_file_fails(c: Container, package: tuple[str, bytes]) -> None:
    files = _files(package[1])
    del files["decisions.json"]
    files["extra.json"] = b"{}"
    problems = _verify(c, _zip(files)).problems
    assert "decisions.json: listed in the manifest but missing" in problems
    assert "extra.json: in the archive but not in the manifest" in problems


def test_tampered_manifest_fails(c: Container, package: tuple[str, bytes]) -> None:
    files = _files(package[1])
    files["manifest.json"] = files["manifest.json"].replace(b'"KCSC"', b'"KNPA"')
    assert "signature does not verify" in _verify(c, _zip(files)).problems[0]


def test_wrong_key_fails(c: Container, package: tuple[str, bytes]) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert "signature does not verify" in _verify(c, package[1], pem).problems[0]


def test_truncated_zip_fails(c: Container, package: tuple[str, bytes]) -> None:
    for cut in (len(package[1]) // 2, len(package[1]) - 10):
        problems = _verify(c, package[1][:cut]).problems
        assert len(problems) == 1 and "not a readable zip archive" in problems[0]


def test_audit_segment_catches_an_altered_entry(package: tuple[str, bytes]) -> None:
    segment = json.loads(_files(package[1])["audit/segment.json"])
    assert check_segment(segment) == []
    segment["entries"][0]["detail"]["item"] = 999
    assert "content does not match its hash" in check_segment(segment)[0]
    segment = json.loads(_files(package[1])["audit/segment.json"])
    del segment["links"][1]
    assert "does not link" in check_segment(segment)[0]


def test_key_file_is_private(c: Container, package: tuple[str, bytes]) -> None:
    mode = stat.S_IMODE(os.stat(c.settings.evidence_key_path).st_mode)
    assert mode == 0o600


def test_cli_verifies_offline_with_only_the_package_and_key(
    c: Container, package: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zip_path, key_path = tmp_path / "p.zip", tmp_path / "key.pem"
    zip_path.write_bytes(package[1])
    key_path.write_bytes(c.hotline.evidence.public_key_pem())
    monkeypatch.setenv("HAECHI_DATABASE_URL", "postgresql://nowhere.invalid/none")
    monkeypatch.setenv("HAECHI_EVIDENCE_KEY_PATH", str(tmp_path / "absent" / "key.pem"))
    runner = CliRunner()
    ok = runner.invoke(app, ["evidence", "verify", str(zip_path), "--public-key", str(key_path)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["case"] == package[0]
    zip_path.write_bytes(package[1][:-40])
    bad = runner.invoke(app, ["evidence", "verify", str(zip_path), "--public-key", str(key_path)])
    assert bad.exit_code == 1 and "FAILED" in bad.output
    assert not (tmp_path / "absent").exists()
