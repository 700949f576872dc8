"""The Ray engine on a local two-CPU Ray cluster: same outcomes as in-process, planted copies
matched, buckets read by the workers themselves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.adapters.scale.ray_engine import RayEngine
from haechi.bootstrap import Container
from haechi.domain.errors import InvalidInput
from haechi.domain.scans import FileOutcome
from haechi.services.scan import ScanRequest
from haechi.services.scan_hashing import BatchHasher
from tests.fixtures import scan_media
from tests.fixtures.s3 import local_s3

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    import os

    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(
        num_cpus=2,
        object_store_memory=100 * 1024 * 1024,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> scan_media.MediaStore:
    return scan_media.build_store(tmp_path_factory.mktemp("ray") / "media", background=120)


def test_ray_runs_the_same_batch_function_as_the_local_engine(
    ray_cluster: None, container: Container, store: scan_media.MediaStore
) -> None:
    source = FsspecSource(str(store.root))
    files = list(source.list_files())
    hasher = BatchHasher(source, container.registry, 10_000_000)
    by_engine: dict[str, dict[str, FileOutcome]] = {}
    for engine in (LocalEngine(workers=2), RayEngine()):
        batches: list[list[FileOutcome]] = []
        engine.run(files, hasher, batch_size=16, on_batch=batches.append)
        assert all(1 <= len(b) <= 16 for b in batches)
        by_engine[engine.name] = {o.path: o for b in batches for o in b}
    assert len(by_engine["ray"]) == len(files)
    assert by_engine["ray"] == by_engine["local"]


def test_a_ray_scan_matches_the_planted_copies(
    ray_cluster: None, container: Container, store: scan_media.MediaStore
) -> None:
    scan_media.bank_originals(container)
    request = ScanRequest(source=FsspecSource(str(store.root)), engine=RayEngine(), batch_size=32)
    run = container.scans.run(request)
    assert (run.engine, run.files_done, run.rescanned) == ("ray", len(store.files), 0)
    assert (run.files_matched, run.files_failed, run.files_skipped) == (len(store.planted), 1, 1)
    matched = {f.path for f in container.scans.files(run.id, matched_only=True)}
    assert matched == {f"{store.root}/{p}" for p in store.planted}


def test_ray_workers_read_a_bucket_themselves(
    ray_cluster: None, container: Container, tmp_path: Path
) -> None:
    store = scan_media.build_store(tmp_path / "media", background=10)
    scan_media.bank_originals(container)
    with local_s3() as s3:
        s3.upload("media", "chats", store.root, store.files)
        source = FsspecSource("s3://media/chats", s3.options)
        run = container.scans.run(ScanRequest(source=source, engine=RayEngine(), batch_size=8))
    assert (run.files_done, run.files_matched) == (len(store.files), len(store.planted))


def test_without_ray_installed_the_error_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    (tmp_path / "a.jpg").write_bytes(b"x")
    source = FsspecSource(str(tmp_path))
    hasher = BatchHasher(source, None, 10)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"haechi\[scale\]"):
        RayEngine().run(list(source.list_files()), hasher, batch_size=1, on_batch=print)
