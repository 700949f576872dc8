"""Frame sampling for photo detectors: when frames are taken, that both decoding paths agree,
and that the video limits are checked before anything is decoded."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from haechi.adapters.detectors.video_frames import FfmpegFrameSampler, sample_times, split_pngs
from haechi.adapters.hashers.vpdq import VideoLimits
from haechi.domain.errors import MediaTooLarge, UnsupportedMedia
from tests.fixtures import images, videos


def test_sample_times_one_a_second_or_spread_evenly() -> None:
    assert sample_times(12.0, 32) == [k + 0.5 for k in range(12)]
    assert sample_times(100.0, 4) == [12.5, 37.5, 62.5, 87.5]
    assert sample_times(0.4, 8) == [0.2]
    assert len(sample_times(3 * 3600.0, 32)) == 32


def test_split_pngs_keeps_whole_files_only() -> None:
    one, two = images.png_bytes("coffee"), images.png_bytes("camera")
    assert split_pngs(one + two) == [one, two]
    assert split_pngs(one + two[:100]) == [one]
    assert split_pngs(b"not a png") == []


@pytest.fixture(scope="module")
def clock_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """12 s of flat grey whose brightness is 20 x the second it is in: a frame says its time."""
    videos.require_ffmpeg()
    out = tmp_path_factory.mktemp("clock") / "clock.mp4"
    source = "nullsrc=s=64x48:r=10:d=12,geq=lum='20*floor(T)+10':cb=128:cr=128,format=yuv420p"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264",
         "-preset", "veryfast", "-crf", "10", "-g", "25", str(out)],
        check=True, timeout=120,
    )  # fmt: skip
    return out.read_bytes()


def _second_shown(data: bytes) -> int:
    grey = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64).mean()
    luma = grey * 219 / 255 + 16  # PNG is full range, the video's luma limited (16-235)
    return round(float(luma - 10) / 20)


@pytest.mark.parametrize(
    ("max_frames", "one_pass_s"), [(12, 60.0), (32, 60.0), (5, 60.0), (4, 0.0), (5, 0.0)]
)  # one decoding pass (one a second, or spread), then one seeking call per frame
def test_each_frame_is_taken_at_its_timestamp(
    clock_clip: bytes, max_frames: int, one_pass_s: float
) -> None:
    sampler = FfmpegFrameSampler(VideoLimits(), max_frames=max_frames, one_pass_s=one_pass_s)
    stills = sampler.sample(clock_clip)
    assert [s.timestamp_s for s in stills] == sample_times(12.0, max_frames)
    assert [_second_shown(s.data) for s in stills] == [int(s.timestamp_s) for s in stills]


def test_frames_are_scaled_down_to_max_side(tmp_path: Path) -> None:
    clip = videos.make_clip(tmp_path / "wide.mp4", seconds=3.0, size=(960, 540))
    (first, *_rest) = FfmpegFrameSampler(VideoLimits(), max_frames=3, max_side=480).sample(
        clip.read_bytes()
    )
    assert Image.open(io.BytesIO(first.data)).size == (480, 270)


def test_limits_and_bad_input_are_refused() -> None:
    data = videos.clip("a").read_bytes()
    with pytest.raises(MediaTooLarge):
        FfmpegFrameSampler(VideoLimits(max_duration_s=5.0), max_frames=4).sample(data)
    with pytest.raises(MediaTooLarge):
        FfmpegFrameSampler(VideoLimits(max_bytes=1000), max_frames=4).sample(data)
    with pytest.raises(UnsupportedMedia):
        FfmpegFrameSampler(VideoLimits(), max_frames=4).sample(images.png_bytes("coffee"))
    with pytest.raises(UnsupportedMedia):
        FfmpegFrameSampler(VideoLimits(), max_frames=4).sample(data[: len(data) // 3])
    with pytest.raises(ValueError, match="max_frames"):
        FfmpegFrameSampler(VideoLimits(), max_frames=0)
