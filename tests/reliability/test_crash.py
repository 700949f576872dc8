"""Crash safety (issue 10): SIGKILL the server mid bulk import and mid report intake, restart it.

Every acknowledged (2xx) item must be there after the restart, nothing may be half-written (an
import is all or nothing; a report has all its items), the audit chain must verify, and retrying
with the same Idempotency-Key must give the original answer without duplicates. Each test prints
its figures (run with -s): acknowledged, in flight at the kill, lost.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import text

from haechi import bootstrap
from haechi.adapters.sql.engine import make_engine
from haechi.config import Settings
from haechi.domain.tenancy import parse_roles
from tests.conftest import make_settings
from tests.fixtures.cases import seed
from tests.reliability.server_process import InFlight, ServerProcess, haechi, server_env

BATCH_ROWS = 400
ITEMS_PER_REPORT = 3
LOCK_S = "1"


class Load:
    """Client threads sending keyed requests; records what was acknowledged and what was cut."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers
        self.acked: dict[str, tuple[int, dict[str, object]]] = {}
        self.cut: set[str] = set()
        self.refused: dict[str, int] = {}
        self.in_flight = InFlight()
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def run(
        self, keys: list[list[str]], send: Callable[[httpx.Client, str], httpx.Response]
    ) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._client, args=(mine, send)) for mine in keys]
        for t in threads:
            t.start()
        return threads

    def _client(self, keys: list[str], send: Callable[[httpx.Client, str], httpx.Response]) -> None:
        with httpx.Client(base_url=self.url, timeout=30, headers=self.headers) as http:
            for key in keys:
                if self.stop.is_set():
                    return
                try:
                    with self.in_flight:
                        r = send(http, key)
                except httpx.ConnectError:
                    return  # the server is gone: this one was never sent
                except httpx.HTTPError:
                    with self._lock:
                        self.cut.add(key)
                    continue
                with self._lock:
                    if r.is_success:
                        self.acked[key] = (r.status_code, r.json())
                    else:
                        self.refused[key] = r.status_code

    def kill_after(self, server: ServerProcess, acks: int, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while len(self.acked) < acks and time.monotonic() < deadline:
            time.sleep(0.01)
        self.stop.set()  # no new requests; those already sent are cut by the kill
        in_flight = self.in_flight.now
        server.kill()
        return in_flight


def _keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def _start(settings: Settings, tmp_path: Path) -> tuple[dict[str, str], ServerProcess]:
    env = server_env(settings, tmp_path, HAECHI_IDEMPOTENCY_LOCK_S=LOCK_S)
    return env, ServerProcess(env, tmp_path / "server.log").start()


def _audit_verifies(env: dict[str, str]) -> None:
    verified = haechi(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert '"ok": true' in verified.stdout


def _bank_hashes(http: httpx.Client) -> list[str]:
    export = http.get("/api/v1/banks/BULK/export", params={"format": "json"})
    assert export.status_code == 200, export.text
    return [json.loads(line)["signals"]["pdq"] for line in export.text.splitlines() if line]


def test_bulk_import_survives_sigkill(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    c = bootstrap.build(settings)
    c.banks.create_bank("BULK")
    c.close()
    rng = random.Random(10)
    batches = {
        f"batch-{n}": [f"{rng.getrandbits(256):064x}" for _ in range(BATCH_ROWS)] for n in range(40)
    }

    def send(http: httpx.Client, key: str) -> httpx.Response:
        body = "pdq,note\n" + "".join(f"{h},{key}\n" for h in batches[key])
        return http.post("/api/v1/banks/BULK/import", content=body, headers=_keyed(key))

    env, server = _start(settings, tmp_path)
    load = Load(server.url, {})
    keys = list(batches)
    threads = load.run([keys[i::4] for i in range(4)], send)
    in_flight = load.kill_after(server, acks=6)
    for t in threads:
        t.join(30)
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        time.sleep(float(LOCK_S) + 0.1)  # interrupted attempts' locks lapse
        with httpx.Client(base_url=server.url, timeout=30) as http:
            present = set(_bank_hashes(http))
            lost = [k for k in load.acked if not set(batches[k]) <= present]
            sent = set(load.acked) | load.cut
            partial = [k for k in sent if 0 < len(set(batches[k]) & present) < BATCH_ROWS]
            assert lost == [] and partial == []
            for key in load.acked:
                again = send(http, key)
                assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
                assert again.json() == load.acked[key][1]
            unknown = 0
            for key in load.cut:
                r = send(http, key)
                assert r.status_code in {200, 409}, r.text
                if r.status_code == 409:  # committed before the kill, answer lost
                    assert r.json()["error"] == "IdempotencyOutcomeUnknown"
                    unknown += 1
                    assert set(batches[key]) <= present
            final = _bank_hashes(http)
            assert len(final) == len(set(final))  # no duplicates
            assert all(set(batches[k]) <= set(final) for k in sent)
    finally:
        server.stop()
    _audit_verifies(env)
    print(
        f"\nbulk import: {len(load.acked)} batches ({len(load.acked) * BATCH_ROWS} rows) "
        f"acknowledged, {in_flight} in flight at SIGKILL ({len(load.cut)} cut, {unknown} "
        f"committed but unanswered), acknowledged lost {len(lost)}"
    )


def test_report_intake_under_load_survives_sigkill(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    c = bootstrap.build(settings)
    seed(c)
    token = c.auth.create_token(org="KCSC", name="load", roles=parse_roles(["analyst"]))
    c.close()

    def send(http: httpx.Client, key: str) -> httpx.Response:
        items = [
            {"kind": "url", "url": f"https://example.org/{key}/{n}"}
            for n in range(ITEMS_PER_REPORT)
        ]
        report = {"reporter_kind": "regulator", "explanation": key, "good_faith": True}
        return http.post("/api/v1/reports", json=report | {"items": items}, headers=_keyed(key))

    env, server = _start(settings, tmp_path)
    load = Load(server.url, {"Authorization": f"Bearer {token}"})
    keys = [f"report-{n}" for n in range(600)]
    threads = load.run([keys[i::6] for i in range(6)], send)
    in_flight = load.kill_after(server, acks=25)
    for t in threads:
        t.join(30)
    filed = _reports(settings)  # key -> [(case number, items)] as the kill left them
    lost = [k for k, (_s, b) in load.acked.items() if filed.get(k) != [(b["case_number"], 3)]]
    assert lost == []
    assert all(len(v) == 1 for v in filed.values())  # whole reports, one per key
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        time.sleep(float(LOCK_S) + 0.1)
        with httpx.Client(base_url=server.url, timeout=30, headers=load.headers) as http:
            for key, (_status, body) in load.acked.items():
                again = send(http, key)
                assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
                assert again.json() == body
            unknown = 0
            for key in load.cut:
                r = send(http, key)
                assert r.status_code in {201, 409}, r.text
                if r.status_code == 409:
                    assert r.json()["error"] == "IdempotencyOutcomeUnknown"
                    assert key in filed  # it did commit before the kill
                    unknown += 1
    finally:
        server.stop()
    after = _reports(settings)
    assert all(v == [(v[0][0], ITEMS_PER_REPORT)] for v in after.values())  # no duplicates
    assert set(after) == set(load.acked) | load.cut
    _audit_verifies(env)
    print(
        f"\nreport intake: {len(load.acked)} reports acknowledged, {in_flight} in flight at "
        f"SIGKILL ({len(load.cut)} cut, {unknown} committed but unanswered), "
        f"acknowledged lost {len(lost)}"
    )


def _reports(settings: Settings) -> dict[str, list[tuple[str, int]]]:
    """Each report's key (its explanation) with its case number and item count, from the DB."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    'SELECT r.explanation, c.number, count(i.id) FROM report r JOIN "case" c '
                    "ON c.id = r.case_id LEFT JOIN case_item i ON i.report_id = r.id "
                    "GROUP BY r.id, r.explanation, c.number"
                )
            ).all()
    finally:
        engine.dispose()
    out: dict[str, list[tuple[str, int]]] = {}
    for key, number, items in rows:
        out.setdefault(str(key), []).append((str(number), int(items)))
    return out
