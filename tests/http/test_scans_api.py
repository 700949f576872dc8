"""`/api/v1/scans` over real HTTP: the instance's regulator admins see runs and matched files;
everyone else is refused."""

from __future__ import annotations

from pathlib import Path

import httpx

from haechi import bootstrap
from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.domain.tenancy import Role
from haechi.services.scan import ScanRequest
from tests.conftest import LiveServer
from tests.fixtures import scan_media


def test_operators_see_scans_and_nobody_else_does(live_server: LiveServer, tmp_path: Path) -> None:
    c: bootstrap.Container = live_server.app.state.container
    store = scan_media.build_store(tmp_path / "media", background=6)
    scan_media.bank_originals(c)
    run = c.scans.run(ScanRequest(source=FsspecSource(str(store.root)), engine=LocalEngine()))
    kcsc = c.auth.create_org("KCSC", "regulator", "Asia/Seoul")
    telegram = c.auth.create_org("Telegram", "platform", "UTC")
    tokens = {
        who: c.auth.create_token(org=org.name, name=who, roles=frozenset({role}))
        for who, org, role in (
            ("operator", kcsc, Role.ADMIN),
            ("analyst", kcsc, Role.ANALYST),
            ("tg_admin", telegram, Role.ADMIN),
        )
    }

    def get(who: str | None, path: str) -> httpx.Response:
        headers = {} if who is None else {"Authorization": f"Bearer {tokens[who]}"}
        return httpx.get(f"{live_server.url}{path}", headers=headers, timeout=30)

    listed = get("operator", "/api/v1/scans")
    assert listed.status_code == 200
    [one] = listed.json()
    assert (one["id"], one["status"], one["files_done"]) == (run.id, "finished", len(store.files))
    assert one["files_matched"] == len(store.planted) and one["rescanned"] == 0

    detail = get("operator", f"/api/v1/scans/{run.id}").json()
    assert {f["path"] for f in detail["files"]} == {f"{store.root}/{p}" for p in store.planted}
    assert all(f["hits"][0]["bank"] == "NATIONAL" for f in detail["files"])
    [failed] = get("operator", f"/api/v1/scans/{run.id}?files=failed").json()["files"]
    assert failed["path"].endswith("broken.jpg") and failed["error"]

    assert get("operator", "/api/v1/scans/999").status_code == 404
    assert get("operator", f"/api/v1/scans/{run.id}?files=everything").status_code == 422
    assert get(None, "/api/v1/scans").status_code == 401
    assert get("analyst", "/api/v1/scans").status_code == 403
    assert get("tg_admin", "/api/v1/scans").status_code == 403
    assert get("tg_admin", f"/api/v1/scans/{run.id}").status_code == 403
