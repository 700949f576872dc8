"""vPDQ hashing with the vpdq package, the pre-decode limits, and the frame index."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from haechi.adapters.hashers.vpdq import (
    VideoLimits,
    VpdqSignal,
    check_video_bytes,
    hash_frames,
    probe,
)
from haechi.adapters.index.vpdq_index import VpdqIndex
from haechi.domain.errors import MediaTooLarge, UnsupportedMedia
from haechi.domain.video import TimeRange
from tests.fixtures import images, videos


@pytest.fixture(scope="module")
def banked() -> str:
    return VpdqSignal.hash_file(videos.clip("a")).value


@pytest.mark.parametrize(
    "kind", ["reencode_low_bitrate", "reencode_h264_crf35", "resize_half", "resize_360p"]
)
def test_transformed_copies_match_the_whole_video(banked: str, kind: str) -> None:
    copy = VpdqSignal.hash_file(videos.clip_variant(kind)).value
    match = VpdqSignal.compare(copy, banked)
    assert match.query_match_percent >= 90 and match.indexed_match_percent >= 90, match
    assert VpdqSignal.matches(copy, banked)
    assert match.query_ranges == match.indexed_ranges == (TimeRange(0.0, 12.0),)


def test_an_unrelated_video_does_not_match(banked: str) -> None:
    other = VpdqSignal.hash_file(videos.clip("b")).value
    match = VpdqSignal.compare(other, banked)
    assert match.query_match_percent == match.indexed_match_percent == 0.0
    assert VpdqSignal.distance(other, banked) == 100
    assert not VpdqSignal.matches(other, banked)


def test_an_excerpt_matches_with_its_place_in_the_banked_video(banked: str) -> None:
    excerpt = VpdqSignal.hash_file(videos.clip_excerpt(3.0, 5.0)).value
    match = VpdqSignal.compare(excerpt, banked)
    assert match.query_match_percent == 100.0
    assert 30 <= match.indexed_match_percent <= 50
    assert match.query_ranges == (TimeRange(0.0, 5.0),)
    (where,) = match.indexed_ranges
    assert where.start == pytest.approx(3.0, abs=1.0) and where.end == pytest.approx(8.0, abs=1)
    assert VpdqSignal.matches(excerpt, banked)  # one video inside the other


def test_hashing_samples_one_frame_a_second() -> None:
    frames = hash_frames(videos.clip("a"), VideoLimits())
    assert len(frames) == 12
    assert [round(f.timestamp) for f in frames] == list(range(12))
    assert all(f.quality >= 50 for f in frames)


def test_limits_refuse_before_decoding(tmp_path: Path) -> None:
    path = videos.clip("a")
    info = probe(path, VideoLimits())
    assert (info.width, info.height) == (320, 240)
    assert info.duration_s == pytest.approx(12.0, abs=0.2)
    for limits in (
        VideoLimits(max_duration_s=5),
        VideoLimits(max_pixels=320 * 200),
        VideoLimits(max_frames=5),
        VideoLimits(max_bytes=1000),
    ):
        with pytest.raises(MediaTooLarge):
            check_video_bytes(path.read_bytes(), limits)


@pytest.mark.parametrize(
    "data",
    [
        b"not a video at all",
        b"\x00" * 4096,
        images.png_bytes("coffee"),  # a still image is not a video to hash
    ],
)
def test_non_videos_are_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        VpdqSignal.hash_bytes(data)


def test_a_truncated_video_is_refused_or_hashes_what_is_there() -> None:
    data = videos.clip("a").read_bytes()
    try:
        output = VpdqSignal.hash_bytes(data[: len(data) // 3])
    except UnsupportedMedia:
        return
    assert VpdqSignal.validate(output.value) == output.value


def test_index_finds_videos_by_their_frames(banked: str, tmp_path: Path) -> None:
    other = VpdqSignal.hash_file(videos.clip("b")).value
    index = VpdqIndex()
    index.add([(banked, 1), (other, 2)])
    assert len(index) == 2 and index.frame_count >= 20
    query = VpdqSignal.hash_file(videos.clip_variant("reencode_low_bitrate")).value
    (found,) = index.query_video(query, 20)
    assert found.content_id == 1
    assert found.match.query_match_percent >= 90
    assert index.query(query, 20) == [(1, found.match.distance)]

    path = tmp_path / "vpdq.json"
    index.save(path)
    reloaded = VpdqIndex.load(path)
    assert reloaded.query(query, 20) == index.query(query, 20)

    index.remove([1])
    assert index.query(query, 100) == []
    assert len(index) == 1
    index.add([(banked, 1), (banked, 1)])  # re-adding replaces
    assert [c for c, _ in index.query(query, 20)] == [1]


def test_index_respects_the_radius(banked: str) -> None:
    excerpt = VpdqSignal.hash_file(videos.clip_excerpt(3.0, 5.0)).value
    index = VpdqIndex()
    index.add([(banked, 7)])
    assert [c for c, _ in index.query(excerpt, 20)] == [7]
    assert index.query(excerpt, 0) == []  # not the same frames both ways


def test_configured_limits_reach_the_plugin() -> None:
    configured = VpdqSignal.with_limits(replace(VideoLimits(), max_duration_s=1.0))
    assert configured.name == "vpdq"
    with pytest.raises(MediaTooLarge):
        configured.hash_file(videos.clip("a"))
