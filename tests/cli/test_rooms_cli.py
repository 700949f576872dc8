"""`haechi rooms import|hubs` and `haechi blocklist export|public-key`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi import bootstrap
from haechi.adapters.signing import PublicKey
from haechi.cli.main import app
from haechi.config import Settings
from haechi.domain.blocklists import EntryKind
from haechi.domain.tenancy import Principal, Role
from haechi.services.blocklists import NewEntry
from tests.db_plugin import database_url

runner = CliRunner()
EXPORT = """platform,room_id,room_title,post_id,posted_at,account_id,text
telegram,-1007,Room E,1,2026-03-02T09:00:00Z,u1,
telegram,-1007,Room E,2,2026-03-02T09:05:00Z,u2,now at https://invite.viber.com/?g2=AQBmoved
telegram,-1008,Room F,1,2026-03-02T10:00:00Z,u1,
"""


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_BLOCKLIST_KEY_PATH", str(tmp_path / "blocklist.pem"))


def test_import_hubs_and_a_signed_export(tmp_path: Path) -> None:
    c = bootstrap.build(Settings())
    try:
        kcsc = c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
        analyst = Principal.of(kcsc, frozenset({Role.ANALYST}), label="t")
        c.rooms.blocklists.add(
            analyst, NewEntry("confirmed", EntryKind.DOMAIN, "bad.example", "a site")
        )
    finally:
        c.close()
    export = tmp_path / "chat.csv"
    export.write_text(EXPORT)
    result = runner.invoke(app, ["rooms", "import", str(export), "--org", "KCSC"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["posts_added"], x["migrations"]) for x in lines] == [(2, 1), (1, 0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,room_id,post_id,posted_at\ntelegram,-1,1,never\n")
    refused = runner.invoke(app, ["rooms", "import", str(bad), "--org", "KCSC"])
    assert refused.exit_code == 2 and "row 2: posted_at" in refused.output
    hubs = runner.invoke(app, ["rooms", "hubs", "--org", "KCSC", "--top", "1"])
    [top] = [json.loads(line) for line in hubs.stdout.splitlines()]
    assert top["title"] == "Room E" and "linked rooms" in top["explanation"]

    out = tmp_path / "confirmed.rpz"
    result = runner.invoke(
        app,
        ["blocklist", "export", "confirmed", "--org", "KCSC", "--format", "rpz", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "bad.example CNAME ." in out.read_text()
    key = PublicKey(runner.invoke(app, ["blocklist", "public-key"]).stdout.encode())
    assert key.check(out.read_bytes(), (tmp_path / "confirmed.rpz.sig").read_bytes())
    text = runner.invoke(app, ["blocklist", "export", "confirmed", "--org", "KCSC"])
    assert "bad.example" in text.stdout.splitlines()


def test_the_demo_has_a_room_map_with_a_migration_alert() -> None:
    result = runner.invoke(app, ["demo", "load"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    rooms = next(x["demo_rooms"] for x in lines if "demo_rooms" in x)
    assert rooms["rooms"] == 4 and rooms["alerts"] >= 1
    number = next(x["demo_reports"] for x in lines if "demo_reports" in x)[0]["case_number"]
    c = bootstrap.build(Settings())
    try:
        viewer = Principal.of(c.auth.org("KCSC"), frozenset({Role.ANALYST}), label="t")
        _case_id, graph = c.rooms.analysis.case_graph_by_number(viewer, number)
    finally:
        c.close()
    assert [m.link.startswith("https://signal.group/") for m in graph.migrations] == [True]
    assert len(graph.alerts) == 1 and graph.hubs[0].score > 0
