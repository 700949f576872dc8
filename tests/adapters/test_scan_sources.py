"""Media sources through fsspec: directory trees and an S3-compatible bucket (moto on loopback)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.bootstrap import Container
from haechi.domain.errors import FetchFailed, InvalidInput, MediaTooLarge
from haechi.domain.scans import FileRef
from haechi.services.scan import ScanRequest
from tests.fixtures import scan_media
from tests.fixtures.s3 import LocalS3, local_s3


def test_a_directory_is_listed_recursively_in_order_without_symlinks(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "a.jpg").write_bytes(b"1")
    (tmp_path / "b" / "c" / "d").write_bytes(b"22")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"333")
    os.symlink(outside, tmp_path / "b" / "link")
    os.symlink(outside / "secret.jpg", tmp_path / "file-link.jpg")
    source = FsspecSource(str(tmp_path))
    assert source.url == str(tmp_path)
    listed = list(source.list_files())
    assert listed == [FileRef(f"{tmp_path}/a.jpg", 1), FileRef(f"{tmp_path}/b/c/d", 2)]
    assert list(FsspecSource(f"file://{tmp_path}").list_files()) == listed
    assert FsspecSource(f"file://{tmp_path}").url == source.url  # same store, same runs
    assert list(pickle.loads(pickle.dumps(source)).list_files()) == listed
    assert list(FsspecSource(f"{tmp_path}/a.jpg").list_files()) == [listed[0]]


def test_reads_are_bounded_and_failures_are_haechi_errors(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 100)
    source = FsspecSource(str(tmp_path))
    assert source.read(f"{tmp_path}/f", max_bytes=100) == b"x" * 100
    with pytest.raises(MediaTooLarge):
        source.read(f"{tmp_path}/f", max_bytes=99)
    with pytest.raises(FetchFailed, match="cannot read"):
        source.read(f"{tmp_path}/gone", max_bytes=100)
    with pytest.raises(InvalidInput, match="does not exist"):
        list(FsspecSource(str(tmp_path / "nowhere")).list_files())
    with pytest.raises(InvalidInput, match="credentials"):
        FsspecSource("s3://key:secret@bucket/prefix")
    with pytest.raises(InvalidInput):
        FsspecSource("nosuchprotocol://x/y")


@pytest.fixture(scope="module")
def s3() -> Iterator[LocalS3]:
    with local_s3() as server:
        yield server


def test_a_bucket_is_scanned_like_a_directory(
    container: Container, s3: LocalS3, tmp_path: Path
) -> None:
    store = scan_media.build_store(tmp_path / "media", background=12)
    s3.upload("messenger", "cache", store.root, store.files)
    scan_media.bank_originals(container)
    source = FsspecSource("s3://messenger/cache", s3.options)
    assert source.url == "s3://messenger/cache"
    run = container.scans.run(ScanRequest(source=source, engine=LocalEngine(workers=2)))
    assert (run.files_done, run.files_matched) == (len(store.files), len(store.planted))
    assert (run.files_failed, run.files_skipped, run.rescanned) == (1, 1, 0)
    matched = {f.path for f in container.scans.files(run.id, matched_only=True)}
    assert matched == {f"messenger/cache/{p}" for p in store.planted}
    with pytest.raises(FetchFailed):
        source.read("messenger/cache/missing.jpg", max_bytes=10)
