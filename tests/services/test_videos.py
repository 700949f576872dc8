"""Video use cases without HTTP: storage of long vPDQ hashes, matcher rebuilds and snapshots,
and what the `video.hash` job does with files it cannot use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from haechi import bootstrap
from haechi.adapters.hashers.vpdq import VpdqSignal
from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.bootstrap import parts
from haechi.domain.errors import UnsupportedMedia
from haechi.domain.video import fingerprint
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.matching import Matcher
from haechi.services.ports import NewContent
from haechi.services.ports_jobs import JobState
from tests.fixtures import cases, videos


@pytest.fixture(scope="module")
def banked_hash() -> str:
    return VpdqSignal.hash_file(videos.clip("a")).value


def _fresh_matcher(container: bootstrap.Container) -> Matcher:
    matcher = Matcher(
        registry=container.registry, index_factory=parts.make_index, uow_factory=container.uow
    )
    matcher.load()
    return matcher


def test_long_hashes_are_stored_whole_and_rebuilt_from_the_database(
    container: bootstrap.Container, banked_hash: str
) -> None:
    copy = VpdqSignal.hash_file(videos.clip_variant("resize_half")).value
    long_value = VpdqSignal.validate(_stretch(banked_hash, 4))
    assert len(long_value) > 1024
    container.banks.create_bank("VIDEOS")
    content = container.banks.add_content("VIDEOS", NewContent(signals={"vpdq": long_value}))
    assert content.signals["vpdq"] == long_value
    assert container.banks.get_content("VIDEOS", content.id).signals["vpdq"] == long_value
    with container.uow() as uow:
        assert uow.banks.existing_signals(content.bank_id) == {("vpdq", fingerprint(long_value))}

    (hit,) = _fresh_matcher(container).query("vpdq", copy)  # built from the database alone
    assert hit.content_id == content.id and hit.video is not None
    assert hit.video.query_match_percent >= 90

    assert container.banks.delete_content("VIDEOS", content.id) == 1
    with container.uow() as uow:
        assert uow.videos.long_values([content.id]) == {}
    assert _fresh_matcher(container).query("vpdq", copy) == []


def test_matcher_snapshots_carry_the_video_index(
    container: bootstrap.Container, banked_hash: str, tmp_path: Path
) -> None:
    container.banks.create_bank("VIDEOS")
    content = container.banks.add_content("VIDEOS", NewContent(signals={"vpdq": banked_hash}))
    container.matcher.refresh()
    store = DirectorySnapshotStore(tmp_path / "snap")
    container.matcher.save_snapshot(store)
    restored = Matcher(
        registry=container.registry, index_factory=parts.make_index, uow_factory=container.uow
    )
    restored.load(store)
    (hit,) = restored.query("vpdq", banked_hash)
    assert hit.content_id == content.id and hit.distance == 0


def test_the_job_refuses_a_file_that_is_not_a_video(container: bootstrap.Container) -> None:
    container.banks.create_bank("VIDEOS")
    with pytest.raises(UnsupportedMedia):
        container.videos.add_to_bank("VIDEOS", b"not a video")
    # a file that looked fine when queued but cannot be hashed: the job dead-letters at once
    queue = Path(container.settings.blob_dir) / "video-queue"
    content = container.banks.add_content("VIDEOS", NewContent(signals={"md5": "0" * 32}))
    key, _ = container.videos._files.put(b"garbage that is no video")
    job_id = container.jobs.enqueue("video.hash", {"content_id": content.id, "file": key})
    container.jobs.run_until_idle(timeout_s=30)
    job = container.jobs.get(job_id)
    assert job is not None and job.state is JobState.DEAD
    assert job.error and "video" in job.error
    assert not list(queue.glob(key))  # the file is not kept
    assert "vpdq" not in container.banks.get_content("VIDEOS", content.id).signals


def test_the_job_hashes_and_deletes_the_queued_file(container: bootstrap.Container) -> None:
    container.banks.create_bank("VIDEOS")
    banked = container.videos.add_to_bank("VIDEOS", videos.clip("a").read_bytes(), note="clip")
    queue = Path(container.settings.blob_dir) / "video-queue"
    assert len(list(queue.iterdir())) == 1
    assert container.jobs.run_until_idle(timeout_s=60) == 1
    assert list(queue.iterdir()) == []
    content = container.banks.get_content("VIDEOS", banked.content.id)
    assert content.note == "clip" and {"vpdq", "md5", "sha256"} == set(content.signals)
    container.matcher.refresh()
    copy = VpdqSignal.hash_file(videos.clip_variant("reencode_h264_crf35")).value
    assert [h.content_id for h in container.matcher.query("vpdq", copy)] == [content.id]


def _stretch(value: str, times: int) -> str:
    """The same frames, repeated later in time: a longer video's hash, far past the signal
    column's 1024 characters."""
    frames = json.loads(value)
    out = []
    for i in range(times):
        for item in frames:
            pdq, quality, ts = item.split(",")
            out.append(f"{pdq},{quality},{float(ts) + 12 * i:.3f}")
    return json.dumps(out)


def test_a_reported_reencoded_copy_gets_perceptual_evidence(
    container: bootstrap.Container, banked_hash: str
) -> None:
    cases.seed(container)
    banked = container.banks.add_content(cases.BANK, NewContent(signals={"vpdq": banked_hash}))
    copy = videos.clip_variant("reencode_low_bitrate").read_bytes()
    item = ItemInput(kind="file", upload=Upload(copy, "copy.mp4"))
    receipt = container.intake.submit(ReportInput(cases.fields("victim"), [item]))
    assert receipt.evidence == [[]]  # digests differ from the banked video's: no exact match

    assert container.jobs.run_until_idle(timeout_s=60) >= 1
    with container.uow() as uow:
        case = uow.cases.get_case(receipt.case_number)
        assert case is not None
        (reported,) = uow.cases.items(case.id)
    assert reported.media_type is not None and reported.media_type.startswith("video/")
    (evidence,) = reported.evidence
    assert (evidence.bank, evidence.content_id, evidence.signal_type) == (
        cases.BANK,
        banked.id,
        "vpdq",
    )
    assert evidence.distance <= VpdqSignal.default_threshold


def test_a_reported_unrelated_video_gets_no_evidence(
    container: bootstrap.Container, banked_hash: str
) -> None:
    cases.seed(container)
    container.banks.add_content(cases.BANK, NewContent(signals={"vpdq": banked_hash}))
    other = videos.clip("b").read_bytes()
    item = ItemInput(kind="file", upload=Upload(other, "other.mp4"))
    receipt = container.intake.submit(ReportInput(cases.fields("victim"), [item]))
    container.jobs.run_until_idle(timeout_s=60)
    with container.uow() as uow:
        case = uow.cases.get_case(receipt.case_number)
        assert case is not None
        (reported,) = uow.cases.items(case.id)
    jobs = container.jobs.list(kind="video.report_item")  # not inside the open transaction
    assert reported.evidence == ()
    assert [j.state for j in jobs] == [JobState.DONE]
