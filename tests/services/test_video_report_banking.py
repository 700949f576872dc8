"""A reported video confirmed by an analyst is banked with its vPDQ, so re-encoded copies match.

End to end through the real services: a video is reported, the `video.report_item` job hashes it
(the item keeps the vPDQ's fingerprint, the whole hash is kept beside it), an analyst confirms the
item into a bank, and a re-encoded copy of the video then matches that bank by its frames alone
(its MD5 and SHA-256 differ). Benign clips made with ffmpeg from scikit-image photos.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from haechi import bootstrap
from haechi.adapters.hashers.vpdq import VpdqSignal
from haechi.domain.video import fingerprint
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.lookup import LookupOptions
from haechi.services.review import DecisionInput
from tests.fixtures import cases, videos

REENCODED = "reencode_h264_crf35"
FACTS = {
    "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "illegal_content_explanation": "A sexual deepfake shared without consent.",
    "decision_facts": "A moderator compared the video with the reporter's own photo.",
}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 30 s clip (its vPDQ is longer than a signal column holds) and a re-encoded copy."""
    videos.require_ffmpeg()
    work = tmp_path_factory.mktemp("clips")
    original = videos.make_clip(work / "long.mp4", seconds=30.0)
    return original, videos.variant(original, work / "copy.mp4", REENCODED)


def _report_clip(c: bootstrap.Container, path: Path) -> tuple[str, int]:
    cases.seed(c)
    data = path.read_bytes()
    item = ItemInput(kind="file", upload=Upload(data, "clip.mp4"))
    receipt = c.intake.submit(ReportInput(cases.fields("victim"), [item]))
    analyst = cases.principal(c, "analyst@kcsc.example")
    (reported,) = c.review.case(analyst, receipt.case_number).items
    return receipt.case_number, reported.id


def _confirm(c: bootstrap.Container, number: str, item_id: int) -> int:
    analyst = cases.principal(c, "analyst@kcsc.example")
    decision = c.review.decide(
        analyst, number, item_id, DecisionInput("confirm_illegal", bank=cases.BANK, statement=FACTS)
    )
    assert decision.bank_content_id is not None
    return decision.bank_content_id


def _copy_hits(c: bootstrap.Container, copy_path: Path) -> list[tuple[int, str]]:
    """(content id, bank) of what the re-encoded copy matches by its vPDQ alone."""
    copy = VpdqSignal.hash_file(copy_path).value
    options = LookupOptions(bypass_coinflip=True, requester="test", route="api")
    hits = c.lookup.lookup_signal("vpdq", copy, options)
    assert all(h.distance <= VpdqSignal.default_threshold for h in hits)
    return [(h.content_id, h.bank_name) for h in hits]


def test_a_confirmed_reported_video_is_banked_with_its_vpdq(
    container: bootstrap.Container, clip: tuple[Path, Path]
) -> None:
    number, item_id = _report_clip(container, clip[0])
    assert container.jobs.run_until_idle(timeout_s=120) >= 1
    analyst = cases.principal(container, "analyst@kcsc.example")
    (item,) = container.review.case(analyst, number).items
    whole = VpdqSignal.hash_file(clip[0]).value
    assert len(whole) > 1024  # too long for the item's signal columns: a fingerprint is kept
    assert item.signals["vpdq"] == fingerprint(whole)
    with container.engine.connect() as conn:
        kept = conn.execute(text("SELECT value, frame_count FROM reported_video_hash")).all()
    assert [(v, n) for v, n in kept] == [(whole, len(json.loads(whole)))]

    content_id = _confirm(container, number, item_id)
    content = container.banks.get_content(cases.BANK, content_id)
    assert content.signals["vpdq"] == whole
    assert {"md5", "sha256", "vpdq"} <= set(content.signals)
    container.matcher.refresh()
    assert _copy_hits(container, clip[1]) == [(content_id, cases.BANK)]


def test_an_item_confirmed_before_its_job_gets_the_vpdq_attached(
    container: bootstrap.Container, clip: tuple[Path, Path]
) -> None:
    number, item_id = _report_clip(container, clip[0])
    assert _copy_hits(container, clip[1]) == []
    content_id = _confirm(container, number, item_id)  # the job has not run yet
    assert "vpdq" not in container.banks.get_content(cases.BANK, content_id).signals
    assert container.jobs.run_until_idle(timeout_s=120) >= 1
    content = container.banks.get_content(cases.BANK, content_id)
    assert content.signals["vpdq"] == VpdqSignal.hash_file(clip[0]).value
    container.matcher.refresh()
    assert _copy_hits(container, clip[1]) == [(content_id, cases.BANK)]


def test_a_photo_item_is_banked_as_before(container: bootstrap.Container) -> None:
    cases.seed(container)
    receipt = cases.upload_report(container, "coffee")
    analyst = cases.principal(container, "analyst@kcsc.example")
    (item,) = container.review.case(analyst, receipt.case_number).items
    content_id = _confirm(container, receipt.case_number, item.id)
    content = container.banks.get_content(cases.BANK, content_id)
    assert content.signals == item.signals
