"""Scan domain: content sniffing by magic bytes, outcomes on the wire, path keys."""

from __future__ import annotations

import pytest

from haechi.domain.scans import FileOutcome, FileStatus, path_key, sniff_content_type
from tests.fixtures import images


@pytest.mark.parametrize(
    ("fmt", "params"),
    [("JPEG", {}), ("PNG", {}), ("GIF", {}), ("WEBP", {}), ("BMP", {}), ("TIFF", {})],
)
def test_photos_are_recognised_by_their_bytes(fmt: str, params: dict[str, object]) -> None:
    data = images.encode(images.load("coffee").resize((64, 48)), fmt, **params)
    assert sniff_content_type(data[:32]) == "photo"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00", "video"),
        (b"\x00\x00\x00\x18ftypqt  \x00\x00\x02\x00", "video"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", "photo"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "photo"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "video"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", "video"),
        (b"FLV\x01\x05", "video"),
        (b"PK\x03\x04 a zip archive", None),
        (b"%PDF-1.7", None),
        (b"hello, world", None),
        (b"", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_other_types_by_their_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected


def test_outcomes_survive_the_trip_between_processes() -> None:
    outcome = FileOutcome(
        path="chat/ü/a.jpg",
        size=123,
        status=FileStatus.HASHED,
        content_type="photo",
        hashes={"pdq": "f" * 64, "md5": "0" * 32},
        low_quality=["pdq"],
    )
    back = FileOutcome.from_json(outcome.to_json())
    assert back == outcome
    assert back.status is FileStatus.HASHED
    assert back.matchable() == {"md5": "0" * 32}


def test_path_keys_are_fixed_length_and_distinct() -> None:
    keys = {path_key(p) for p in ("a", "a/", "A", "x" * 5000, "\udcff-undecodable")}
    assert len(keys) == 5
    assert {len(k) for k in keys} == {64}
