"""`haechi hash --local`: the victim page's hashing for support centres working offline.

Same signals as the browser computes (PDQ, MD5, SHA-256 for photos; MD5, SHA-256 for videos), with
no database and no network: the database URL here points nowhere usable.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi.adapters.hashers.pdq import PdqSignal
from haechi.adapters.hashers.vpdq import VpdqSignal
from haechi.cli.main import app
from tests.fixtures import images, videos

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")


def test_photos_and_videos_hash_offline_like_the_browser(tmp_path: Path) -> None:
    photo = tmp_path / "coffee.jpg"
    photo.write_bytes(images.jpeg_bytes("coffee"))
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    photos = runner.invoke(app, ["hash", "--local", str(photo)])
    videos = runner.invoke(app, ["hash", "--local", "-t", "video", str(video)])
    assert photos.exit_code == 0 and videos.exit_code == 0, photos.output + videos.output
    [hashed] = [json.loads(line) for line in photos.stdout.splitlines()]
    data = photo.read_bytes()
    assert hashed["hashes"]["md5"] == hashlib.md5(data).hexdigest()
    assert hashed["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()
    reference = PdqSignal.hash_bytes(data, fast=False).value
    assert PdqSignal.distance(hashed["hashes"]["pdq"], reference) <= 10
    [clip] = [json.loads(line) for line in videos.stdout.splitlines()]
    assert set(clip["hashes"]) == {"md5", "sha256"}
    assert clip["hashes"]["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert not (tmp_path / "missing").exists(), "no database was created"


def test_videos_get_vpdq_when_asked(tmp_path: Path) -> None:
    clip = videos.clip("a")
    result = runner.invoke(app, ["hash", "--local", "-t", "video", "--vpdq", str(clip)])
    assert result.exit_code == 0, result.output
    [hashed] = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(hashed["hashes"]) == {"vpdq", "md5", "sha256"}
    assert hashed["hashes"]["vpdq"] == VpdqSignal.hash_file(clip).value
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    refused = runner.invoke(app, ["hash", "--local", "-t", "video", "--vpdq", str(bad)])
    assert refused.exit_code == 4 and "error" in json.loads(refused.stdout.splitlines()[0])
