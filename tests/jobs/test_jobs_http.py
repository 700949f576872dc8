"""The jobs API and UI over real HTTP: who sees which jobs, dead-letter actions, the in-process
worker of an embedded server, and the live page with its progress bars."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from haechi import bootstrap
from haechi.domain.tenancy import Role
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure
from tests.conftest import LiveServer

PASSWORD = "a long enough password"


@dataclass
class World:
    server: LiveServer
    c: bootstrap.Container
    tokens: dict[str, str]
    orgs: dict[str, int]

    def client(self, who: str | None) -> httpx.Client:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=30)


@pytest.fixture
def world(live_server: LiveServer) -> Iterator[World]:
    c: bootstrap.Container = live_server.app.state.container
    orgs = {
        name: c.auth.create_org(name, kind, "Asia/Seoul").id
        for name, kind in (("KCSC", "regulator"), ("Telegram", "platform"), ("KNPA", "police"))
    }
    roles = {
        "operator": ("KCSC", Role.ADMIN),
        "analyst": ("KCSC", Role.ANALYST),
        "tg_admin": ("Telegram", Role.ADMIN),
        "tg_agent": ("Telegram", Role.PLATFORM_AGENT),
        "police": ("KNPA", Role.INVESTIGATOR),
    }
    tokens = {
        who: c.auth.create_token(org=org, name=who, roles=frozenset({role}))
        for who, (org, role) in roles.items()
    }
    yield World(live_server, c, tokens, orgs)


def test_each_organisation_sees_its_own_jobs_and_operators_see_all(world: World) -> None:
    jobs = world.c.jobs  # kinds without a handler here: they stay queued
    tg = jobs.enqueue("test.tg", {"n": 1}, org_id=world.orgs["Telegram"])
    kcsc = jobs.enqueue("test.kcsc", {"n": 2}, org_id=world.orgs["KCSC"])
    system = jobs.enqueue("test.system", {"n": 3})

    def ids(who: str, **params: str | int) -> list[int]:
        with world.client(who) as client:
            r = client.get("/api/v1/jobs", params=params)
            assert r.status_code == 200, r.text
            return [j["id"] for j in r.json()["jobs"]]

    assert ids("operator") == [system, kcsc, tg]
    assert ids("operator", org_id=world.orgs["Telegram"]) == [tg]
    assert ids("analyst") == [kcsc]
    assert ids("tg_admin") == [tg]
    assert ids("tg_admin", org_id=world.orgs["KCSC"]) == [tg], "org_id cannot widen the view"
    assert ids("operator", state="queued", kind="test.tg") == [tg]
    assert ids("operator", limit=1) == [system]
    with world.client(None) as anonymous:
        assert anonymous.get("/api/v1/jobs").status_code == 401
    with world.client("police") as police, world.client("tg_agent") as agent:
        assert police.get("/api/v1/jobs").status_code == 403
        assert agent.get(f"/api/v1/jobs/{tg}").status_code == 403
    with world.client("tg_admin") as admin:
        assert admin.get(f"/api/v1/jobs/{kcsc}").status_code == 404
        assert admin.get(f"/api/v1/jobs/{system}").status_code == 404
        assert admin.post(f"/api/v1/jobs/{kcsc}/cancel").status_code == 404
        body = admin.get(f"/api/v1/jobs/{tg}").json()
        assert body["state"] == "queued" and body["payload"] == {"n": 1}
        assert admin.get("/api/v1/jobs", params={"state": "sleeping"}).status_code in (400, 422)
        assert admin.get("/api/v1/jobs/999999").status_code == 404


def test_admins_cancel_and_retry_analysts_may_not(world: World) -> None:
    kcsc = world.c.jobs.enqueue("test.kcsc", {}, org_id=world.orgs["KCSC"])
    with world.client("analyst") as analyst:
        assert analyst.post(f"/api/v1/jobs/{kcsc}/cancel").status_code == 403
        assert analyst.post(f"/api/v1/jobs/{kcsc}/retry").status_code == 403
    with world.client("operator") as operator:
        assert operator.post(f"/api/v1/jobs/{kcsc}/retry").status_code == 409  # not dead
        r = operator.post(f"/api/v1/jobs/{kcsc}/cancel")
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        assert operator.post(f"/api/v1/jobs/{kcsc}/cancel").status_code == 409
        r = operator.post(f"/api/v1/jobs/{kcsc}/retry")
        assert r.status_code == 200 and r.json()["state"] == "queued"
        assert r.json()["attempts"] == 0
    with world.c.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=1000)]
    assert actions.count("job.cancel") == 1 and actions.count("job.retry") == 1


def test_the_embedded_server_runs_jobs_in_process(world: World) -> None:
    release = threading.Event()

    def slow(job: Job, progress: JobProgress) -> None:
        progress(1, 4)
        release.wait(10)
        progress(4, 4)

    def bad(job: Job, progress: JobProgress) -> None:
        raise PermanentJobFailure("the payload names no video")

    world.c.jobs.register("test.slow", slow)
    world.c.jobs.register("test.bad", bad)
    org = world.orgs["Telegram"]
    running = world.c.jobs.enqueue("test.slow", {}, org_id=org)
    dead = world.c.jobs.enqueue("test.bad", {}, org_id=org)
    with world.client("tg_admin") as admin:
        seen = _until(admin, running, lambda j: j["progress"] == [1, 4])
        assert seen["state"] == "running" and seen["fraction"] == 0.25
        release.set()
        done = _until(admin, running, lambda j: j["state"] == "done")
        assert done["progress"] == [4, 4] and done["finished_at"] is not None
        failed = _until(admin, dead, lambda j: j["state"] == "dead")
        assert failed["error"] == "PermanentJobFailure: the payload names no video"
        counts = admin.get("/api/v1/jobs").json()["counts"]
        assert counts["done"] == 1 and counts["dead"] == 1


def _until(client: httpx.Client, job_id: int, ok: object, timeout_s: float = 15) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if ok(job):  # type: ignore[operator]
            return job  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _sign_in(world: World, email: str, org: str, role: Role) -> tuple[httpx.Client, str]:
    world.c.auth.create_user(org=org, email=email, password=PASSWORD, roles=frozenset({role}))
    client = httpx.Client(base_url=world.server.url, timeout=30, follow_redirects=False)
    assert client.post("/ui/login", data={"email": email, "password": PASSWORD}).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/").text)
    assert csrf is not None
    return client, csrf.group(1)


def test_jobs_page_shows_progress_and_lets_an_admin_retry_a_dead_letter(world: World) -> None:
    missing = [True]

    def fetch_blob(job: Job, progress: JobProgress) -> None:
        if missing[0]:
            raise PermanentJobFailure("no such blob")

    world.c.jobs.register("test.blob", fetch_blob)
    org = world.orgs["Telegram"]
    dead = world.c.jobs.enqueue("test.blob", {"blob": "abc"}, org_id=org)
    waiting = world.c.jobs.enqueue("test.unhandled", {}, org_id=org)
    with world.client("tg_admin") as api:
        _until(api, dead, lambda j: j["state"] == "dead")
        client, csrf = _sign_in(world, "admin@tg.example", "Telegram", Role.ADMIN)
        try:
            assert 'href="/ui/jobs"' in client.get("/ui/").text
            page = client.get("/ui/jobs", params={"view": "all"})
            assert page.status_code == 200
            assert f'href="/ui/jobs/{dead}"' in page.text and "no such blob" in page.text
            assert 'hx-trigger="every 3s"' in page.text and "<progress" not in page.text
            live = client.get("/ui/jobs", params={"view": "dead"}, headers={"HX-Request": "true"})
            assert live.text.lstrip().startswith('<div id="jobs"')
            assert f"/ui/jobs/{dead}" in live.text and f"/ui/jobs/{waiting}" not in live.text
            detail = client.get(f"/ui/jobs/{dead}")
            assert "Retry with fresh attempts" in detail.text and "&#34;blob&#34;" in detail.text
            assert client.post(f"/ui/jobs/{dead}/retry", data={"csrf": "x"}).status_code == 403
            r = client.post(f"/ui/jobs/{waiting}/cancel", data={"csrf": csrf})
            assert r.status_code == 303 and r.headers["location"].startswith("/ui/jobs")
            missing[0] = False
            assert client.post(f"/ui/jobs/{dead}/retry", data={"csrf": csrf}).status_code == 303
            done = _until(api, dead, lambda j: j["state"] == "done")
            assert done["attempts"] == 1 and done["progress"] == [0, 0]
            assert "100%" in client.get(f"/ui/jobs/{dead}").text
        finally:
            client.close()
    job = world.c.jobs.get(waiting)
    assert job is not None and job.state.value == "cancelled"
    viewer, _ = _sign_in(world, "cop@knpa.example", "KNPA", Role.INVESTIGATOR)
    try:
        assert 'href="/ui/jobs"' not in viewer.get("/ui/").text
        assert viewer.get("/ui/jobs").status_code == 403
    finally:
        viewer.close()
    anonymous = httpx.get(f"{world.server.url}/ui/jobs", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
