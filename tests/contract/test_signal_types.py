"""Every signal type haechi ships passes the shared signal-type contract."""

from __future__ import annotations

import json

import pytest

from haechi.adapters.hashers import Md5Signal, PdqSignal, Sha256Signal, VpdqSignal
from haechi.domain.video import VideoFrame, serialize_vpdq
from tests.contract.signal_type_contract import SignalTypeContract
from tests.fixtures import videos


class TestPdqSignal(SignalTypeContract):
    signal_type = PdqSignal
    examples = (
        "2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724",
        "dc9c9d3b746978f888f40ce6e5c3f70f7266623e8d989cb99f21f2010841e1c7",
        "0" * 64,
        "f" * 64,
    )

    def test_distance_is_hamming(self) -> None:
        assert PdqSignal.distance("0" * 64, "f" * 64) == 256
        assert PdqSignal.distance("0" * 64, "0" * 63 + "7") == 3


class TestMd5Signal(SignalTypeContract):
    signal_type = Md5Signal
    examples = ("97066e0a8baf4cd0be9859f9825aa3a2", "f8b13d2cdd5ba56cf4ba2321bb7222f0")

    def test_hash_is_hashlib_md5(self) -> None:
        assert Md5Signal.hash_bytes(b"").value == "d41d8cd98f00b204e9800998ecf8427e"


class TestSha256Signal(SignalTypeContract):
    signal_type = Sha256Signal
    examples = (
        "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
        "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    )

    def test_hash_is_hashlib_sha256(self) -> None:
        expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        assert Sha256Signal.hash_bytes(b"").value == expected


def _vpdq(*frames: tuple[str, int, float]) -> str:
    return serialize_vpdq(VideoFrame(h, q, t) for h, q, t in frames)


class TestVpdqSignal(SignalTypeContract):
    signal_type = VpdqSignal
    examples = (
        _vpdq(
            ("2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724", 100, 0.0),
            ("dc9c9d3b746978f888f40ce6e5c3f70f7266623e8d989cb99f21f2010841e1c7", 90, 1.0),
        ),
        _vpdq(("f" * 64, 100, 0.0), ("0" * 64, 100, 1.0)),
        _vpdq(("2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724", 100, 0.0)),
    )

    @pytest.fixture
    def sample_bytes(self) -> bytes:
        return videos.clip("a").read_bytes()

    def test_distance_is_100_minus_best_containment(self) -> None:
        whole, _other, first = self.examples
        # `first` is all inside `whole` (100% one way, 50% the other): distance 1
        assert VpdqSignal.compare(first, whole).query_match_percent == 100.0
        assert VpdqSignal.compare(first, whole).indexed_match_percent == 50.0
        assert VpdqSignal.distance(first, whole) == 1
        assert VpdqSignal.distance(whole, self.examples[1]) == 100

    def test_reads_python_threatexchange_hashes(self) -> None:
        from threatexchange.extensions.vpdq.vpdq import VPDQSignal

        for theirs in VPDQSignal.get_examples():
            ours = VpdqSignal.validate(theirs)
            assert VpdqSignal.distance(ours, theirs) == 0
            assert json.loads(ours)[0].split(",")[0] == json.loads(theirs)[0].split(",")[0]
