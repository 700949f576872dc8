"""ExactIndex: equality matching for digests, same port contract as the PDQ index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from haechi.adapters.index.exact import ExactIndex, IndexSnapshotError
from haechi.domain.errors import InvalidSignal

MD5_A = "0" * 31 + "a"
MD5_B = "0" * 31 + "b"


def test_matches_only_equal_values_at_distance_zero() -> None:
    index = ExactIndex(signal_type="md5")
    index.add([(MD5_A, 3), (MD5_A, 1), (MD5_B, 2)])
    assert index.query(MD5_A, 0) == [(1, 0), (3, 0)]
    assert index.query(MD5_A, 31) == [(1, 0), (3, 0)]  # a larger radius changes nothing
    assert index.query("f" * 32, 10) == []
    assert index.query_many([MD5_B, MD5_A], 0) == [[(2, 0)], [(1, 0), (3, 0)]]
    assert len(index) == 3


def test_re_adding_replaces_and_removing_takes_effect_at_once() -> None:
    index = ExactIndex(signal_type="sha256")
    index.add([(MD5_A, 1)])
    index.add([(MD5_B, 1)])
    assert index.query(MD5_A, 0) == []
    assert index.query(MD5_B, 0) == [(1, 0)]
    index.remove([1, 99])
    assert index.query(MD5_B, 0) == []
    assert len(index) == 0


def test_canonical_hook_normalises_values() -> None:
    index = ExactIndex(signal_type="md5", canonical=str.lower)
    index.add([(MD5_A.upper(), 5)])
    assert index.query(MD5_A, 0) == [(5, 0)]


def test_refuses_bad_input() -> None:
    index = ExactIndex(signal_type="md5")
    with pytest.raises(InvalidSignal):
        index.query("", 0)
    with pytest.raises(InvalidSignal):
        index.add([(None, 1)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        index.add([(MD5_A, "1")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_distance"):
        index.query(MD5_A, -1)
    assert len(index) == 0


def test_save_load_round_trip(tmp_path: Path) -> None:
    index = ExactIndex(signal_type="sha256")
    index.add([(MD5_A, 1), (MD5_A, 2), (MD5_B, 3)])
    index.remove([2])
    index.save(tmp_path / "exact.json")
    loaded = ExactIndex.load(tmp_path / "exact.json")
    assert loaded.signal_type == "sha256"
    assert len(loaded) == 2
    assert loaded.query(MD5_A, 0) == [(1, 0)]
    assert loaded.query(MD5_B, 0) == [(3, 0)]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        json.dumps({"format": "haechi.pdq_mih", "version": 1}).encode(),
        json.dumps({"format": "haechi.exact_index", "version": 2}).encode(),
        json.dumps({"format": "haechi.exact_index", "version": 1, "signal_type": "md5"}).encode(),
        json.dumps(
            {
                "format": "haechi.exact_index",
                "version": 1,
                "signal_type": "md5",
                "entries": [[1, 2]],
            }
        ).encode(),
        json.dumps(
            {
                "format": "haechi.exact_index",
                "version": 1,
                "signal_type": "md5",
                "entries": [["", 2]],
            }
        ).encode(),
    ],
)
def test_corrupt_snapshot_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "exact.json"
    path.write_bytes(content)
    with pytest.raises(IndexSnapshotError, match=r"exact\.json"):
        ExactIndex.load(path)


def test_missing_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexSnapshotError):
        ExactIndex.load(tmp_path / "nope.json")
