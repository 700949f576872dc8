"""Bulk scans in-process: planted copies match, bad files are recorded, runs resume exactly."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from haechi.adapters.scale import owner
from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.bootstrap import Container
from haechi.domain.errors import Conflict, InvalidInput, NotFound
from haechi.domain.scans import FileOutcome, FileRef, FileStatus, RunStatus
from haechi.services.ports_scan import BatchProcessor
from haechi.services.scan import ScanRequest, ScanService
from tests.fixtures import scan_media


class _Stop(Exception):
    pass


class CountingEngine:
    """The local engine, counting every file it hashes, optionally stopping after n batches."""

    def __init__(self, *, stop_after: int | None = None, workers: int = 1) -> None:
        self.inner = LocalEngine(workers=workers)
        self.stop_after = stop_after
        self.hashed: Counter[str] = Counter()

    @property
    def name(self) -> str:
        return "local"

    def run(
        self,
        files: Sequence[FileRef],
        process: BatchProcessor,
        *,
        batch_size: int,
        on_batch: Callable[[list[FileOutcome]], None],
    ) -> None:
        batches = 0

        def counted(refs: list[FileRef]) -> list[FileOutcome]:
            self.hashed.update(r.path for r in refs)
            return process(refs)

        def recorded(outcomes: list[FileOutcome]) -> None:
            nonlocal batches
            on_batch(outcomes)
            batches += 1
            if self.stop_after is not None and batches >= self.stop_after:
                raise _Stop  # as if killed right after a commit

        self.inner.run(files, counted, batch_size=batch_size, on_batch=recorded)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> scan_media.MediaStore:
    return scan_media.build_store(tmp_path_factory.mktemp("scan") / "media", background=40)


def other_process(
    container: Container, *, max_file_bytes: int = 10_000_000, alive: bool = False
) -> ScanService:
    return ScanService(
        uow_factory=container.uow,
        registry=container.registry,
        matcher=container.matcher,
        max_file_bytes=max_file_bytes,
        owner="elsewhere:1",
        owner_alive=lambda owner, seen: alive,
    )


def request(store: scan_media.MediaStore, engine: object, **kw: object) -> ScanRequest:
    return ScanRequest(source=FsspecSource(str(store.root)), engine=engine, **kw)  # type: ignore[arg-type]


def test_a_scan_matches_the_planted_copies_and_records_bad_files(
    container: Container, store: scan_media.MediaStore
) -> None:
    ids = scan_media.bank_originals(container)
    run = container.scans.run(request(store, LocalEngine(workers=2), batch_size=8))
    assert run.status is RunStatus.FINISHED
    assert (run.files_total, run.files_done) == (len(store.files), len(store.files))
    assert (run.files_matched, run.files_failed, run.files_skipped) == (len(store.planted), 1, 1)
    assert run.rescanned == 0
    matched = container.scans.files(run.id, matched_only=True)
    root = f"{store.root}/"
    assert {f.path.removeprefix(root) for f in matched} == set(store.planted)
    for f in matched:
        assert {h.content_id for h in f.hits} == {ids[store.planted[f.path.removeprefix(root)]]}
        assert f.hits[0].signal_type == "pdq" and f.hits[0].distance <= 31
    [broken] = container.scans.files(run.id, failed_only=True)
    assert broken.path.endswith("broken.jpg") and broken.error
    events = [e for e in container.lookup.recent_events(limit=500, bank=None)]
    assert {(e.requester, e.route) for e in events} == {(f"scan:{run.id}", "scan")}
    assert len(events) == sum(len(f.hits) for f in matched)
    with container.uow() as uow:
        audited = [
            e for e in uow.audit.entries(after_seq=0, limit=500) if e.resource_type == "scan_run"
        ]
    assert [(e.action, e.resource_id) for e in audited] == [
        ("scan.started", str(run.id)),
        ("scan.finished", str(run.id)),
    ]
    assert audited[1].detail == {
        "files": len(store.files),
        "matched": 6,
        "failed": 1,
        "rescanned": 0,
    }


def test_an_interrupted_run_resumes_without_hashing_a_finished_file_again(
    container: Container, store: scan_media.MediaStore
) -> None:
    scan_media.bank_originals(container)
    first = CountingEngine(stop_after=2)
    with pytest.raises(_Stop):
        container.scans.run(request(store, first, batch_size=8))
    [interrupted] = container.scans.list_runs()
    assert interrupted.status is RunStatus.RUNNING
    assert interrupted.files_done == 16 == sum(first.hashed.values())

    second = CountingEngine()
    run = container.scans.run(request(store, second, batch_size=8))  # same source: continues
    assert run.id == interrupted.id and run.resumes == 1
    assert run.status is RunStatus.FINISHED
    both = first.hashed + second.hashed
    assert len(both) == len(store.files)
    assert max(both.values()) == 1  # every file hashed exactly once over the two invocations
    assert run.rescanned == 0 and run.files_done == len(store.files)
    assert run.files_matched == len(store.planted)
    events = container.lookup.recent_events(limit=500, bank=None)
    assert len(events) == len(store.planted)  # no match event written twice


def test_resume_by_id_new_runs_and_bad_requests(
    container: Container, store: scan_media.MediaStore, tmp_path: Path
) -> None:
    with pytest.raises(_Stop):
        container.scans.run(request(store, CountingEngine(stop_after=1), batch_size=4))
    [run] = container.scans.list_runs()
    fresh = container.scans.run(request(store, CountingEngine(), fresh=True, batch_size=64))
    assert fresh.id != run.id and fresh.files_done == len(store.files)
    engine = CountingEngine()
    resumed = container.scans.run(request(store, engine, resume=run.id, batch_size=64))
    assert resumed.id == run.id and sum(engine.hashed.values()) == len(store.files) - 4
    again = container.scans.run(request(store, CountingEngine()))  # both finished: a new run
    assert again.id not in (run.id, fresh.id)
    with pytest.raises(NotFound):
        container.scans.run(request(store, CountingEngine(), resume=9999))
    other = ScanRequest(source=FsspecSource(str(tmp_path)), engine=LocalEngine(), resume=run.id)
    with pytest.raises(InvalidInput, match="not"):
        container.scans.run(other)
    with pytest.raises(InvalidInput):
        container.scans.run(request(store, LocalEngine(), batch_size=0))


def test_files_over_the_limit_are_recorded_without_being_read(
    container: Container, tmp_path: Path
) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "big.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 5000)
    service = other_process(container, max_file_bytes=1000)
    source = FsspecSource(str(tmp_path / "media"))
    run = service.run(ScanRequest(source=source, engine=LocalEngine()))
    [big] = service.files(run.id, failed_only=True)
    assert big.status is FileStatus.FAILED and "limit is 1000" in (big.error or "")


def test_the_store_counts_a_file_finished_twice_as_rescanned(container: Container) -> None:
    outcome = FileOutcome(path="/m/a.jpg", size=1, status=FileStatus.SKIPPED)
    with container.uow() as uow:
        run_id = uow.scans.create_run(source="/m", engine="local", requester=None, at=1.0)
        assert uow.scans.record(run_id, [(outcome, [])], busy_s=0.1, at=2.0) == 0
    with container.uow() as uow:
        assert uow.scans.record(run_id, [(outcome, [])], busy_s=0.1, at=3.0) == 1
        run = uow.scans.get_run(run_id)
    assert run is not None
    assert (run.files_done, run.files_skipped, run.rescanned) == (1, 1, 1)


def test_a_run_its_process_still_works_is_not_taken_over_unless_forced(
    container: Container, store: scan_media.MediaStore
) -> None:
    with pytest.raises(_Stop):
        container.scans.run(request(store, CountingEngine(stop_after=1), batch_size=4))
    with pytest.raises(Conflict, match="--force"):
        other_process(container, alive=True).run(request(store, CountingEngine()))
    taken = other_process(container, alive=True).run(request(store, CountingEngine(), force=True))
    assert taken.owner == "elsewhere:1" and taken.files_done == len(store.files)
    assert taken.rescanned == 0 and taken.resumes == 1


def test_owners_are_alive_while_their_process_runs() -> None:
    me = owner.this_process()
    assert owner.owner_alive(me, 0.0)
    host = me.rpartition(":")[0]
    assert not owner.owner_alive(f"{host}:{2**22 + 12345}", time.time())  # above pid_max
    assert owner.owner_alive("another-host:42", time.time() - 10)
    assert not owner.owner_alive("another-host:42", time.time() - owner.REMOTE_STALE_S - 1)
