"""haechi's own API over real HTTP: banks, paging, thresholds, withdrawal, import/export, events."""

from __future__ import annotations

import httpx

from tests.fixtures import images

PDQ = "e" * 64


def test_bank_crud_and_thresholds(api: httpx.Client) -> None:
    r = api.post("/api/v1/banks", json={"name": "KCSC", "thresholds": {"pdq": 24}})
    assert r.status_code == 201
    assert r.json()["thresholds"] == {"pdq": 24}
    assert api.post("/api/v1/banks", json={"name": "KCSC"}).status_code == 409
    assert api.post("/api/v1/banks", json={"name": "bad name"}).json()["error"] == "InvalidInput"
    r = api.patch("/api/v1/banks/KCSC", json={"enabled": False, "name": "KCSC_2"})
    assert r.json()["enabled"] is False
    assert r.json()["name"] == "KCSC_2"
    assert api.get("/api/v1/banks/KCSC").status_code == 404
    assert api.delete("/api/v1/banks/KCSC_2").status_code == 204
    assert api.delete("/api/v1/banks/KCSC_2").status_code == 404


def test_content_paging_withdrawal_and_events(api: httpx.Client) -> None:
    api.post("/api/v1/banks", json={"name": "B"})
    ids = []
    for i in range(5):
        value = format(int(PDQ, 16) ^ (1 << i), "064x")
        r = api.post("/api/v1/banks/B/content", json={"signals": {"pdq": value}, "note": str(i)})
        assert r.status_code == 201
        ids.append(r.json()["id"])
    page1 = api.get("/api/v1/banks/B/content", params={"limit": 3}).json()
    page2 = api.get(
        "/api/v1/banks/B/content", params={"limit": 3, "after": page1["next_after"]}
    ).json()
    assert [c["id"] for c in page1["items"] + page2["items"]] == ids
    assert page1["total"] == 5
    assert page2["next_after"] is None

    hit = api.post("/api/v1/lookup", json={"signal_type": "pdq", "signal": PDQ}).json()
    assert {m["content_id"] for m in hit["matches"]["pdq"]} == set(ids)

    r = api.patch(f"/api/v1/banks/B/content/{ids[0]}", json={"withdrawn": True})
    assert r.json()["withdrawn"] is True
    assert (
        api.patch(f"/api/v1/banks/B/content/{ids[0]}", json={"withdrawn": False}).status_code == 400
    )
    hit = api.post("/api/v1/lookup", json={"signal_type": "pdq", "signal": PDQ}).json()
    assert ids[0] not in {m["content_id"] for m in hit["matches"]["pdq"]}
    listed = api.get("/api/v1/banks/B/content").json()
    assert ids[0] not in [c["id"] for c in listed["items"]]

    events = api.get("/api/v1/match-events", params={"bank": "B"}).json()
    assert len(events) == 9  # 5 matches, then 4
    assert all(e["query_value"] == PDQ for e in events)


def test_upload_hash_reports_quality_and_dihedral_lookup(api: httpx.Client) -> None:
    api.post("/api/v1/banks", json={"name": "DEMO"})
    upright = images.load("astronaut")
    r = api.post(
        "/api/v1/banks/DEMO/content/upload",
        files={"photo": ("a.png", images.encode(upright), "image/png")},
    )
    assert r.status_code == 201, r.text
    content_id = r.json()["id"]
    hashed = api.post("/api/v1/hash", files={"photo": ("a.png", images.encode(upright))}).json()
    assert hashed["hashes"]["pdq"]["quality"] >= 50
    assert set(hashed["hashes"]) == {"pdq", "md5", "sha256"}

    turned = images.encode(images.rotated(upright, 90))
    plain = api.post("/api/v1/lookup/upload", files={"photo": ("r.png", turned)}).json()
    assert plain["matches"]["pdq"] == []
    both = api.post(
        "/api/v1/lookup/upload", params={"dihedral": "true"}, files={"photo": ("r.png", turned)}
    ).json()
    assert [m["content_id"] for m in both["matches"]["pdq"]] == [content_id]
    assert both["matches"]["pdq"][0]["transform"] in {"rotate90", "rotate270"}
    events = api.get("/api/v1/match-events", params={"bank": "DEMO"}).json()
    assert events[0]["transform"] == both["matches"]["pdq"][0]["transform"]


def test_import_export_over_http(api: httpx.Client) -> None:
    api.post("/api/v1/banks", json={"name": "B"})
    body = f"pdq,note\n{PDQ},imported\n"
    r = api.post("/api/v1/banks/B/import", params={"format": "csv"}, content=body)
    assert r.json() == {"rows": 1, "added": 1, "skipped_duplicates": 0}
    bad = api.post("/api/v1/banks/B/import", params={"format": "csv"}, content="pdq\nzz\n")
    assert bad.status_code == 400
    assert "nothing written" in bad.json()["message"]
    out = api.get("/api/v1/banks/B/export", params={"format": "csv"})
    assert out.headers["content-type"].startswith("text/csv")
    assert PDQ in out.text
    assert api.get("/api/v1/banks/NOPE/export").status_code == 404


def test_openapi_documents_every_route(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/m/lookup", "/c/banks", "/h/hash", "/api/v1/banks/{name}/content"):
        assert path in paths
