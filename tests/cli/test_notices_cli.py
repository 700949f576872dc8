"""`haechi notice list` and `haechi webhooks deliver`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.cli.main import app
from haechi.config import Settings
from haechi.domain.tenancy import Principal, Role
from tests.db_plugin import database_url
from tests.fixtures.notices import draft, receiver

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_FETCH_ALLOW_PRIVATE", "true")


def test_notice_list_and_webhook_delivery() -> None:
    c = bootstrap.build(Settings())
    try:
        kcsc = c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
        telegram = c.auth.create_org("Telegram", "platform", "UTC")
        c.auth.create_org("Signal", "platform", "UTC")
        with receiver() as rx:
            admin = Principal.of(telegram, frozenset({Role.ADMIN}), user_id=1)
            c.webhooks.register(admin, url=rx.url, events=[])
            sent = c.notices.send(Principal.of(kcsc, frozenset({Role.ANALYST}), user_id=2), draft())
            result = runner.invoke(app, ["webhooks", "deliver"])
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout) == {
                "escalated": 0,
                "delivered": 1,
                "retrying": 0,
                "failed": 0,
            }
        assert rx.requests[0].json["data"]["notice_id"] == sent.id  # type: ignore[index]
    finally:
        c.close()
    lines = runner.invoke(app, ["notice", "list", "--org", "Telegram"]).stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == [sent.id]
    assert runner.invoke(app, ["notice", "list", "--org", "Signal"]).stdout == ""
    assert runner.invoke(app, ["notice", "list", "--org", "Nobody"]).exit_code == 3
