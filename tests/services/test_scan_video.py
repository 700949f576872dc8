"""A bulk scan hashes videos with whatever video signal the registry offers (vPDQ here), so a
re-encoded copy of a banked clip matches by its frames, not only by exact digests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from haechi.adapters.hashers.vpdq import VpdqSignal
from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.bootstrap import Container
from haechi.services.ports import NewContent
from haechi.services.scan import ScanRequest
from tests.fixtures import images, videos


@pytest.mark.slow
def test_a_reencoded_copy_of_a_banked_clip_matches_by_vpdq(
    container: Container, tmp_path: Path
) -> None:
    original = videos.clip("a")
    container.banks.create_bank("VIDEOS")
    banked = VpdqSignal.hash_file(original).value
    item = container.banks.add_content("VIDEOS", NewContent(signals={"vpdq": banked}))
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(videos.clip_variant("resize_half"), media / "forwarded")  # no extension
    shutil.copy(videos.clip("b"), media / "unrelated.mp4")
    (media / "photo.jpg").write_bytes(images.jpeg_bytes("coffee"))

    run = container.scans.run(ScanRequest(source=FsspecSource(str(media)), engine=LocalEngine()))
    assert (run.files_done, run.files_matched, run.files_failed) == (3, 1, 0)
    [hit_file] = container.scans.files(run.id, matched_only=True)
    assert hit_file.path == f"{media}/forwarded" and hit_file.content_type == "video"
    assert [(h.signal_type, h.content_id) for h in hit_file.hits] == [("vpdq", item.id)]
    kinds = {f.path.rsplit("/", 1)[1]: f.content_type for f in container.scans.files(run.id)}
    assert kinds == {"forwarded": "video", "unrelated.mp4": "video", "photo.jpg": "photo"}
