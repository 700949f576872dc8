"""`haechi faces rekey|sweep|status`: key rotation re-seals every template, the old key can then
be dropped, and matching still finds the enrolled face; expiry from the command line."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.cli.main import app
from haechi.config import Settings
from haechi.domain.faces import ConsentDraft
from haechi.domain.tenancy import Principal, Role
from haechi.services.faces import Photo
from tests.db_plugin import database_url
from tests.fixtures import images

pytest.importorskip("dlib", reason="needs the faces extra")

runner = CliRunner()
OLD, NEW = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_FACE_TEMPLATE_KEY", OLD)


def _enrol(expires_in: float) -> tuple[int, str]:
    c = bootstrap.build(Settings())
    try:
        org = c.auth.create_org("Centre", "victim_support")
        who = Principal.of(org, frozenset({Role.ANALYST}), user_id=1)
        purpose = "Find new copies of her deepfakes in reported content."
        consent = ConsentDraft("HB-1", "verbal_witnessed", purpose, time.time() + expires_in)
        enrolment = c.faces.enrolment.enrol(who, consent, [Photo(images.png_bytes("astronaut"))])
        with c.uow() as uow:
            (stored,) = uow.faces.templates([enrolment.id])
        return enrolment.id, stored.sealed.key_id
    finally:
        c.close()


def _key_ids(enrolment_id: int) -> list[str]:
    c = bootstrap.build(Settings())
    try:
        with c.uow() as uow:
            templates = uow.faces.templates([enrolment_id])
        assert c.faces.matching is not None
        for stored in templates:  # every template still opens under the current settings
            c.faces.enrolment._cipher.open(
                stored.sealed, aad=f"haechi/face-template/v1/enrolment:{enrolment_id}".encode()
            )
        return [t.sealed.key_id for t in templates]
    finally:
        c.close()


def test_rekey_after_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    enrolment_id, old_id = _enrol(365 * 86400)
    monkeypatch.setenv("HAECHI_FACE_TEMPLATE_KEY", NEW)
    monkeypatch.setenv("HAECHI_FACE_TEMPLATE_PREVIOUS_KEYS", json.dumps([OLD]))
    assert _key_ids(enrolment_id) == [old_id]
    result = runner.invoke(app, ["faces", "rekey"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"resealed": 1}
    monkeypatch.delenv("HAECHI_FACE_TEMPLATE_PREVIOUS_KEYS")
    (new_id,) = _key_ids(enrolment_id)
    assert new_id != old_id
    status = json.loads(runner.invoke(app, ["faces", "status"]).output)
    assert status == {"enabled": True, "reason": None, "templates": 1}


def test_sweep_and_status(monkeypatch: pytest.MonkeyPatch) -> None:
    _enrol(2 * 86400)
    assert json.loads(runner.invoke(app, ["faces", "sweep"]).output) == {"expired": 0}
    monkeypatch.setenv("HAECHI_FACE_MATCHING", "false")
    status = json.loads(runner.invoke(app, ["faces", "status"]).output)
    assert status["enabled"] is False and "HAECHI_FACE_MATCHING" in status["reason"]
