"""Two API replicas on one database, as behind a load balancer: each holds its own index, started
from a snapshot plus the change feed, and a change made through one serves on the other within a
few refresh intervals. In the `--db=postgresql` pass the database is one PostgreSQL database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from haechi import bootstrap
from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.config import Settings
from haechi.services.ports import MatcherSnapshot, NewContent
from tests.conftest import LiveServer, make_settings

OLD = "a" * 64
NEW = "5" * 64
BOUND_S = 5.0  # generous for a loaded CI machine; the refresh interval here is 0.05 s


@pytest.fixture
def loaded_snapshots(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The change-feed position of every snapshot a replica loaded."""
    seen: list[int] = []
    original = DirectorySnapshotStore.load

    def load(self: DirectorySnapshotStore) -> MatcherSnapshot | None:
        state = original(self)
        if state is not None:
            seen.append(state.seq)
        return state

    monkeypatch.setattr(DirectorySnapshotStore, "load", load)
    return seen


@pytest.fixture
def replicas(
    tmp_path: Path, loaded_snapshots: list[int]
) -> Iterator[tuple[httpx.Client, httpx.Client, Settings]]:
    settings = make_settings(tmp_path, index_snapshot_dir=tmp_path / "snapshot")
    seed = bootstrap.build(settings)
    try:  # what `haechi index snapshot` does before the replicas start
        seed.banks.create_bank("NATIONAL")
        seed.banks.add_content("NATIONAL", NewContent(signals={"pdq": OLD}))
        seed.matcher.load()
        position = seed.matcher.save_snapshot(DirectorySnapshotStore(tmp_path / "snapshot"))
        assert position > 0
    finally:
        seed.close()
    loaded_snapshots.clear()
    with (
        LiveServer(settings) as a,
        LiveServer(settings) as b,
        httpx.Client(base_url=a.url, timeout=10) as ca,
        httpx.Client(base_url=b.url, timeout=10) as cb,
    ):
        yield ca, cb, settings


def matches(client: httpx.Client, pdq: str) -> list[int]:
    response = client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": pdq})
    assert response.status_code == 200, response.text
    found: list[int] = response.json()["matches"]
    return found


def wait_for(condition: Callable[[], bool]) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > BOUND_S:
            raise AssertionError(f"not within {BOUND_S} s")
        time.sleep(0.01)
    return time.monotonic() - start


def test_both_replicas_start_from_the_snapshot(
    replicas: tuple[httpx.Client, httpx.Client, Settings], loaded_snapshots: list[int]
) -> None:
    a, b, _ = replicas
    assert len(loaded_snapshots) == 2 and loaded_snapshots[0] == loaded_snapshots[1] > 0
    assert len(matches(a, OLD)) == 1 and matches(a, OLD) == matches(b, OLD)
    for client in (a, b):
        status = client.get("/m/index/status").json()
        assert status["pdq"]["present"] is True


def test_a_hash_added_on_one_replica_matches_on_the_other_and_stops_when_withdrawn(
    replicas: tuple[httpx.Client, httpx.Client, Settings],
) -> None:
    a, b, _ = replicas
    added = a.post("/c/bank/NATIONAL/signal", json={"pdq": NEW})
    assert added.status_code == 200, added.text
    content_id = added.json()["id"]
    assert matches(a, NEW) == [content_id]  # the writing replica: at once
    wait_for(lambda: matches(b, NEW) == [content_id])

    removed = b.delete(f"/c/bank/NATIONAL/content/{content_id}")  # through the other one
    assert removed.status_code == 200, removed.text
    assert matches(b, NEW) == []
    wait_for(lambda: matches(a, NEW) == [])
    assert len(matches(a, OLD)) == 1 and len(matches(b, OLD)) == 1


def test_a_withdrawal_stops_matches_on_every_replica(
    replicas: tuple[httpx.Client, httpx.Client, Settings],
) -> None:
    a, b, settings = replicas
    [old_id] = matches(a, OLD)
    writer = bootstrap.build(settings)  # a third process: a worker or the CLI
    try:
        writer.banks.update_content("NATIONAL", old_id, withdraw=True)
    finally:
        writer.close()
    wait_for(lambda: matches(a, OLD) == [] and matches(b, OLD) == [])
