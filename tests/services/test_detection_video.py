"""Photo detectors on reported videos: a bounded number of sampled frames, scored in one batch,
summarised per video (max, mean, where the max is), latency recorded, bad videos recorded as
errors. Benign clips made with ffmpeg from scikit-image photos."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from haechi import bootstrap
from haechi.adapters.detectors.video_frames import sample_times
from haechi.bootstrap import Container
from haechi.domain.detections import DetectionResult
from haechi.services.detection import JOB_KIND
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.ports_detectors import VIDEO_FRAMES, DetectorScore, MediaInput, Signals
from haechi.services.ports_jobs import JobState
from tests.conftest import make_settings
from tests.fixtures import cases, videos

FRAMES = 8
_AT = re.compile(r"@([0-9.]+)s$")


class TimedDetector:
    """Scores each frame by its timestamp (t / 100), so the summary can be checked exactly;
    fails on the frame taken at `fail_at`."""

    def __init__(self, *, fail_at: float | None = None) -> None:
        self.name = "timed"
        self.version = "t-1"
        self.input_kinds = frozenset({"photo", VIDEO_FRAMES})
        self._fail_at = fail_at
        self.batches: list[int] = []
        self.kinds: set[str] = set()

    def score(self, media: MediaInput) -> Signals:
        self.kinds.add(media.content_type)
        found = _AT.search(media.item_ref)
        assert found is not None and media.data.startswith(b"\x89PNG")
        at = float(found.group(1))
        if at == self._fail_at:
            raise RuntimeError("model exploded on this frame")
        return (DetectorScore("timed", at / 100, {"model": "clock"}),)

    def score_batch(self, media: Sequence[MediaInput]) -> list[Signals]:
        self.batches.append(len(media))
        return [self.score(m) for m in media]


def _build(tmp_path: Path, **overrides: object) -> Iterator[Container]:
    videos.require_ffmpeg()
    c = bootstrap.build(
        make_settings(tmp_path, detector_video_max_frames=FRAMES, face_matching=False, **overrides)
    )
    c.matcher.load()
    cases.seed(c)
    yield c
    c.close()


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Container]:
    yield from _build(tmp_path)


@pytest.fixture
def stubbed(tmp_path: Path) -> Iterator[Container]:
    yield from _build(tmp_path, detectors_enabled=[])


def _report_video(c: Container, data: bytes) -> dict[str, DetectionResult]:
    item = ItemInput(kind="file", upload=Upload(data, "clip.mp4"))
    number = c.intake.submit(ReportInput(cases.fields("victim"), [item])).case_number
    c.jobs.run_until_idle(timeout_s=120)
    assert {j.state for j in c.jobs.list(kind=JOB_KIND)} == {JobState.DONE}
    analyst = cases.principal(c, "analyst@kcsc.example")
    (results,) = c.detection.service.for_case(analyst, number).results.values()
    return {r.detector: r for r in results}


def test_nudity_scores_a_benign_video_through_its_frames(real: Container) -> None:
    results = _report_video(real, videos.clip("a").read_bytes())
    assert {"nudity", "provenance"} <= set(results)  # provenance still reads the whole video
    nudity = results["nudity"]
    assert nudity.error is None and nudity.batch_size == FRAMES  # one batch of all frames
    ((score),) = nudity.scores
    detail = score.detail
    times = sample_times(12.0, FRAMES)  # a 12 s clip: 8 frames, 1.5 s apart
    assert [t for t, _ in detail["timeline"]] == times
    values = [v for _, v in detail["timeline"]]
    assert score.value == detail["max"] == max(values) < 0.4  # benign photos score low
    assert detail["mean"] == pytest.approx(sum(values) / len(values), abs=1e-6)
    assert detail["max_at_s"] == times[values.index(max(values))]
    assert detail["frames"] == FRAMES and detail["decode_ms"] > 0 and detail["model_ms"] > 0
    assert nudity.latency_ms == pytest.approx(detail["decode_ms"] + detail["model_ms"], abs=0.01)


def test_a_corrupt_video_is_recorded_as_an_error(real: Container) -> None:
    data = videos.clip("a").read_bytes()
    results = _report_video(real, data[: len(data) // 3])  # the index (moov) is at the end
    assert results["nudity"].scores == ()
    assert (results["nudity"].error or "").startswith("video frames: UnsupportedMedia")


def test_frame_scores_are_summarised_per_signal(stubbed: Container) -> None:
    detector = TimedDetector(fail_at=sample_times(12.0, FRAMES)[2])
    stubbed.detection.registry.register(detector)
    result = _report_video(stubbed, videos.clip("a").read_bytes())["timed"]
    times = sample_times(12.0, FRAMES)
    good = [t for t in times if t != times[2]]
    assert detector.batches[0] == FRAMES and detector.kinds == {"photo"}
    assert result.error is None and result.batch_size == FRAMES
    ((score),) = result.scores
    assert score.value == pytest.approx(times[-1] / 100)
    assert score.detail["max_at_s"] == times[-1]
    assert score.detail["mean"] == pytest.approx(sum(good) / len(good) / 100, abs=1e-6)
    assert score.detail["failed_frames_s"] == [times[2]]
    assert score.detail["frames"] == FRAMES - 1 and score.detail["model"] == "clock"


def test_photo_only_detectors_leave_videos_alone(stubbed: Container) -> None:
    detector = TimedDetector()
    detector.input_kinds = frozenset({"photo"})
    stubbed.detection.registry.register(detector)
    item = ItemInput(kind="file", upload=Upload(videos.clip("a").read_bytes(), "clip.mp4"))
    number = stubbed.intake.submit(ReportInput(cases.fields("victim"), [item])).case_number
    stubbed.jobs.run_until_idle(timeout_s=120)
    analyst = cases.principal(stubbed, "analyst@kcsc.example")
    assert stubbed.detection.service.for_case(analyst, number).results == {}
    assert detector.batches == []
