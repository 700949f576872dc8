"""vPDQ wire format, match percentages both ways and matched time ranges (pure domain rules)."""

from __future__ import annotations

import json

import pytest

from haechi.domain.errors import InvalidSignal
from haechi.domain.video import (
    FramePairs,
    TimeRange,
    VideoFrame,
    canonical_vpdq,
    fingerprint,
    matched_ranges,
    parse_vpdq,
    serialize_vpdq,
    usable_hashes,
    video_distance,
    video_match,
)

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def frames(*spec: tuple[str, int, float]) -> list[VideoFrame]:
    return [VideoFrame(h, q, t) for h, q, t in spec]


def test_threatexchange_serialization_round_trips() -> None:
    # python-threatexchange writes "hex,quality,timestamp" with 3 significant digits
    value = json.dumps([f"{A.upper()},100,0.0", f"{B},87,12.3", f"{C},40,1.23e+03"])
    parsed = parse_vpdq(value)
    assert parsed == frames((A, 100, 0.0), (B, 87, 12.3), (C, 40, 1230.0))
    canonical = serialize_vpdq(parsed)
    assert canonical == json.dumps([f"{A},100,0.000", f"{B},87,12.300", f"{C},40,1230.000"])
    assert canonical_vpdq(canonical) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "[]",
        "{}",
        '["abc,100,0"]',
        f'["{A},101,0"]',
        f'["{A},-1,0"]',
        f'["{A},100,-1"]',
        f'["{A},100,nan"]',
        f'["{A},100"]',
        f'["{A},x,0"]',
        "[[1, 2, 3]]",
        "not json",
    ],
)
def test_malformed_hashes_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        parse_vpdq(value)


def test_usable_hashes_drop_poor_frames_and_duplicates() -> None:
    video = frames((A, 100, 0), (B, 10, 1), (A, 90, 2), (C, 50, 3))
    assert usable_hashes(video) == [A, C]


def test_percentages_both_ways_and_ranges() -> None:
    # the query holds the first half of the banked video, plus a frame of its own
    banked = frames((A, 100, 0), (B, 100, 1), (C, 100, 2), (D, 100, 3))
    query = frames((A, 100, 0), (B, 100, 1), ("e" * 64, 100, 2))
    pairs = FramePairs(query={A, B}, indexed={A, B})
    match = video_match(query, banked, pairs)
    assert match.query_match_percent == pytest.approx(66.67)
    assert match.indexed_match_percent == 50.0
    assert match.query_ranges == (TimeRange(0.0, 2.0),)
    assert match.indexed_ranges == (TimeRange(0.0, 2.0),)
    assert (match.query_frames, match.indexed_frames) == (3, 4)
    assert match.distance == 34  # 100 - floor(max(66.67, 50))
    assert match.pretty() == "67%[50%]"


def test_distance_is_the_better_containment() -> None:
    assert video_distance(100.0, 100.0) == 0  # the same frames
    assert video_distance(100.0, 12.5) == 1  # a clip of the banked video
    assert video_distance(10.0, 100.0) == 1  # a compilation containing it
    assert video_distance(79.99, 0.0) == 21
    assert video_distance(0.0, 0.0) == 100


def test_ranges_split_at_unmatched_frames_and_bridge_poor_ones() -> None:
    video = frames(
        (A, 100, 0.0),
        (B, 100, 1.0),
        (C, 5, 2.0),  # a fade: neither matched nor unmatched
        (D, 100, 3.0),
        ("e" * 64, 100, 4.0),  # unmatched: ends the run
        (A, 100, 5.0),
    )
    ranges = matched_ranges(video, {A, B, D})
    assert ranges == (TimeRange(0.0, 4.0), TimeRange(5.0, 6.0))


def test_fingerprint_is_short_and_stable() -> None:
    value = serialize_vpdq(frames(*[(A, 100, float(t)) for t in range(500)]))
    assert len(value) > 1024
    assert fingerprint(value) == fingerprint(value)
    assert fingerprint(value).startswith("sha256:") and len(fingerprint(value)) == 71
