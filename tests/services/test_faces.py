"""Consented face enrolment and matching through the services, on a real database and the real
dlib model (scikit-image photos only): consent rules, one face per photo, encryption at rest,
scope, audit of every comparison and match, withdrawal and expiry deleting templates."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from haechi import bootstrap
from haechi.adapters.sql.tables_faces import FaceTemplateRow
from haechi.bootstrap import Container
from haechi.domain.errors import Forbidden, InvalidInput, NotFound, NotReady
from haechi.domain.faces import ConsentDraft, EnrolmentStatus, pack_embedding
from haechi.domain.tenancy import Principal, Role
from haechi.services.face_matching import EnrolledFaceDetector
from haechi.services.faces import Photo
from haechi.services.ports_detectors import MediaInput
from tests.conftest import make_settings
from tests.fixtures import cases, faces, images

pytest.importorskip("dlib", reason="needs the faces extra")

CENTRE = "Haebaragi Centre"
YEAR = 365 * 86400.0


@pytest.fixture
def c(container: Container) -> Iterator[Container]:
    yield from c_fixture_setup(container)


def c_fixture_setup(container: Container) -> Iterator[Container]:
    cases.seed(container)
    container.auth.create_org(CENTRE, "victim_support", "Asia/Seoul")
    container.auth.create_org("Other Centre", "victim_support", "Asia/Seoul")
    for email, org in (("va@centre.example", CENTRE), ("vb@other.example", "Other Centre")):
        container.auth.create_user(
            org=org, email=email, password=cases.PASSWORD, roles=frozenset({Role.ANALYST})
        )
    assert container.faces.enabled, container.faces.unavailable
    yield container


def analyst(c: Container, email: str = "va@centre.example") -> Principal:
    return cases.principal(c, email)


def draft(**overrides: object) -> ConsentDraft:
    base = ConsentDraft(
        subject_ref="HB-2026-0042",
        method="signed_form",
        purpose="Find new copies of the deepfakes of her reported to us, for takedown review.",
        expires_at=time.time() + YEAR,
        document_sha256="ab" * 32,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def enrol_astronaut(c: Container, **overrides: object) -> int:
    photo = Photo(images.png_bytes("astronaut"), "astronaut.png")
    return c.faces.enrolment.enrol(analyst(c), draft(**overrides), [photo]).id


def report_item(c: Container, data: bytes, who: Principal) -> tuple[int, str]:
    """A report of `data` filed by `who`'s organisation: (case id, item ref)."""
    from haechi.services.intake import ItemInput, ReportInput, Upload

    item = ItemInput(kind="file", upload=Upload(data, "item.jpg"))
    receipt = c.intake.submit(ReportInput(cases.fields("victim"), [item]), who)
    with c.uow() as uow:
        case = uow.cases.get_case(receipt.case_number)
        assert case is not None
        item_id = uow.cases.items(case.id)[0].id
    return case.id, f"case:{case.id}/item:{item_id}"


def audit(c: Container, action: str) -> list[dict[str, object]]:
    with c.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=10_000)
    return [dict(e.detail, id=e.resource_id) for e in entries if e.action == action]


def test_enrolled_face_matches_a_reported_copy_and_every_use_is_audited(c: Container) -> None:
    enrolment_id = enrol_astronaut(c)
    case_id, ref = report_item(c, faces.astronaut_variants()["JPEG quality 30"], analyst(c))
    assert c.faces.matching is not None
    report = c.faces.matching.match_item(
        faces.astronaut_variants()["JPEG quality 30"], case_id=case_id, item_ref=ref
    )
    assert [m.enrolment_id for m in report.matches] == [enrolment_id]
    assert report.matches[0].distance < 0.3
    compared, matched = audit(c, "face.compare"), audit(c, "face.match")
    assert [(e["id"], e["item"], e["matched"]) for e in compared] == [
        (str(enrolment_id), ref, True)
    ]
    assert matched[0]["distance"] == compared[0]["distance"]
    assert [e["id"] for e in audit(c, "face.enrol")] == [str(enrolment_id)]
    for entry in compared + matched + audit(c, "face.enrol"):
        assert "HB-2026-0042" not in repr(entry)  # the victim's reference stays out of the log


def test_a_different_face_is_compared_not_matched(c: Container) -> None:
    enrolment_id = enrol_astronaut(c)
    other = faces.lfw_face(3)
    case_id, ref = report_item(c, other, analyst(c))
    assert c.faces.matching is not None
    report = c.faces.matching.match_item(other, case_id=case_id, item_ref=ref)
    assert report.faces == 1 and report.matches == ()
    assert [c.enrolment_id for c in report.comparisons] == [enrolment_id]
    assert audit(c, "face.compare")[0]["matched"] is False
    assert audit(c, "face.match") == []


def test_no_face_in_the_item_means_no_comparison(c: Container) -> None:
    enrol_astronaut(c)
    case_id, ref = report_item(c, faces.no_face(), analyst(c))
    assert c.faces.matching is not None
    assert c.faces.matching.match_item(faces.no_face(), case_id=case_id, item_ref=ref).faces == 0
    assert audit(c, "face.compare") == []


def test_enrolments_are_compared_only_with_cases_their_organisation_sees(c: Container) -> None:
    enrol_astronaut(c)  # Haebaragi Centre's enrolment
    copy = faces.astronaut_variants()["mirrored"]
    case_id, ref = report_item(c, copy, analyst(c, "vb@other.example"))  # the other centre's case
    assert c.faces.matching is not None
    assert c.faces.matching.match_item(copy, case_id=case_id, item_ref=ref).comparisons == ()


def test_a_case_scoped_enrolment_is_compared_only_within_that_case(c: Container) -> None:
    copy = faces.astronaut_variants()["greyscale"]
    first, _ = report_item(c, images.png_bytes("camera"), analyst(c))
    with c.uow() as uow:
        number = uow.cases.get_case_by_id(first)
    assert number is not None
    enrol_astronaut(c, case_number=number.number)
    other_case, ref = report_item(c, copy, analyst(c))
    assert other_case != first
    assert c.faces.matching is not None
    assert c.faces.matching.match_item(copy, case_id=other_case, item_ref=ref).comparisons == ()
    assert c.faces.matching.match_item(copy, case_id=first, item_ref="x").matches != ()


def test_withdrawal_deletes_the_templates_and_stops_matches(c: Container) -> None:
    enrolment_id = enrol_astronaut(c)
    copy = faces.astronaut_variants()["cropped to the head"]
    case_id, ref = report_item(c, copy, analyst(c))
    ended = c.faces.enrolment.withdraw(analyst(c), enrolment_id, reason="she asked on the phone")
    assert ended.status is EnrolmentStatus.WITHDRAWN and ended.template_count == 0
    with c.uow() as uow:
        assert uow.faces.count_templates() == 0
    assert c.faces.matching is not None
    assert c.faces.matching.match_item(copy, case_id=case_id, item_ref=ref).comparisons == ()
    assert [e["templates_deleted"] for e in audit(c, "face.withdraw")] == [1]
    again = c.faces.enrolment.withdraw(analyst(c), enrolment_id)  # idempotent, no second entry
    assert again.withdrawn_at == ended.withdrawn_at and len(audit(c, "face.withdraw")) == 1


def test_expiry_sweep_deletes_templates_and_expired_consent_is_never_used(c: Container) -> None:
    enrolment_id = enrol_astronaut(c, expires_at=time.time() + 2 * 86400)
    keep = enrol_astronaut(c)
    copy = faces.astronaut_variants()["rotated 5 degrees"]
    case_id, ref = report_item(c, copy, analyst(c))
    assert c.faces.enrolment.sweep_expired() == 0
    later = time.time() + 3 * 86400
    assert c.faces.enrolment.sweep_expired(now=later) == 1
    found = c.faces.enrolment.get(analyst(c), enrolment_id)
    assert found.status is EnrolmentStatus.EXPIRED and found.template_count == 0
    with c.uow() as uow:
        assert [t.enrolment_id for t in uow.faces.templates([enrolment_id, keep])] == [keep]
    assert [e["id"] for e in audit(c, "face.expire")] == [str(enrolment_id)]
    assert c.faces.matching is not None
    compared = c.faces.matching.match_item(copy, case_id=case_id, item_ref=ref).comparisons
    assert [x.enrolment_id for x in compared] == [keep]


def test_templates_are_encrypted_at_rest_and_bound_to_their_enrolment(c: Container) -> None:
    first, second = enrol_astronaut(c), enrol_astronaut(c)
    model = c.faces.enrolment._model
    assert model is not None
    plain = pack_embedding(model.faces(images.png_bytes("astronaut"))[0].embedding)
    with c.uow() as uow:
        rows = list(uow._open().scalars(select(FaceTemplateRow)))  # type: ignore[attr-defined]
        assert len(rows) == 2 and all(plain[:64] not in r.ciphertext for r in rows)
        assert rows[0].nonce != rows[1].nonce
        rows[1].ciphertext, rows[1].nonce = rows[0].ciphertext, rows[0].nonce  # moved
    case_id, ref = report_item(c, images.png_bytes("astronaut"), analyst(c))
    assert c.faces.matching is not None
    with pytest.raises(ValueError, match="authenticate"):
        c.faces.matching.match_item(images.png_bytes("astronaut"), case_id=case_id, item_ref=ref)
    assert second > first


def test_enrolment_refuses_bad_photos_and_incomplete_consent(c: Container) -> None:
    who = analyst(c)
    face = Photo(images.png_bytes("astronaut"))
    refused = [
        (draft(), [Photo(faces.no_face(), "coffee.png")], "no clear face"),
        (draft(), [Photo(faces.two_faces())], "2 faces found"),
        (draft(), [face, Photo(faces.lfw_face(0))], "do not look like the same person"),
        (draft(), [], "1 to 10 photos"),
        (draft(purpose="faces"), [face], "purpose"),
        (draft(method="phone"), [face], "consent method"),
        (draft(document_sha256=None), [face], "needs its document"),
        (draft(expires_at=time.time() + 3 * YEAR), [face], "at most two years"),
        (draft(expires_at=time.time() - 5), [face], "at least one day"),
    ]
    for consent, photos, message in refused:
        with pytest.raises(InvalidInput, match=message):
            c.faces.enrolment.enrol(who, consent, photos)
    with pytest.raises(NotFound):
        c.faces.enrolment.enrol(who, draft(case_number="HC-2026-999999"), [face])
    with c.uow() as uow:
        assert uow.faces.list_for_org(who.org_id) == [] and uow.faces.count_templates() == 0


def test_only_victim_support_analysts_enrol_and_see_their_own(c: Container) -> None:
    enrolment_id = enrol_astronaut(c)
    photo = [Photo(images.png_bytes("astronaut"))]
    for email in ("analyst@kcsc.example", "mod@kcsc.example", "agent@tg.example"):
        with pytest.raises(Forbidden):
            c.faces.enrolment.enrol(cases.principal(c, email), draft(), photo)
    with pytest.raises(NotFound):
        c.faces.enrolment.withdraw(analyst(c, "vb@other.example"), enrolment_id)
    assert c.faces.enrolment.enrolments(analyst(c, "vb@other.example")) == []


def test_the_detector_reports_enrolment_ids_and_distance_only(c: Container) -> None:
    enrolment_id = enrol_astronaut(c)
    copy = faces.astronaut_variants()["resized 50% (256 px)"]
    case_id, ref = report_item(c, copy, analyst(c))
    assert c.faces.matching is not None
    detector = EnrolledFaceDetector(c.faces.matching)
    (score,) = detector.score(MediaInput("photo", copy, "0" * 64, ref, case_id=case_id))
    assert score.name == "enrolled_face_match" and score.value == 1.0
    assert score.detail["enrolments"] == [enrolment_id] and score.detail["distance"] < 0.5
    assert "HB-2026" not in repr(score.detail)
    assert detector.score(MediaInput("photo", copy, "0" * 64, ref)) == ()  # no case: no scope


def test_detection_jobs_match_reported_items_and_stop_after_withdrawal(tmp_path: Path) -> None:
    """The path in production: a report is filed, the detection job runs the face detector."""
    c = bootstrap.build(make_settings(tmp_path, detectors_enabled=[]))
    try:
        c.matcher.load()
        for _ in c_fixture_setup(c):
            enrolment_id = enrol_astronaut(c)
            case_id, _ref = report_item(c, faces.astronaut_variants()["mirrored"], analyst(c))
            c.jobs.run_until_idle()
            assert face_results(c, case_id) == [(1.0, [enrolment_id])]
            c.faces.enrolment.withdraw(analyst(c), enrolment_id)
            again, _ = report_item(c, faces.astronaut_variants()["greyscale"], analyst(c))
            c.jobs.run_until_idle()
            assert face_results(c, again) == [None]  # ran, compared with nothing
            assert len(audit(c, "face.compare")) == 1
    finally:
        c.close()


def face_results(c: Container, case_id: int) -> list[tuple[float, object] | None]:
    with c.uow() as uow:
        results = uow.detections.results_for_case(case_id)
    found = [r for r in results if r.detector == "enrolled_face_match"]
    assert found and all(r.error is None for r in found)
    return [
        (r.scores[0].value, r.scores[0].detail["enrolments"]) if r.scores else None for r in found
    ]


def test_without_the_model_enrolment_says_why_and_withdrawal_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from haechi.adapters.faces import dlib_model
    from haechi.services.ports_detectors import DetectorUnavailable

    def missing() -> Path:
        raise DetectorUnavailable("dlib is not installed: pip install 'haechi[faces]'")

    monkeypatch.setattr(dlib_model, "model_dir", missing)
    c = bootstrap.build(make_settings(tmp_path))
    try:
        assert not c.faces.enabled and "haechi[faces]" in (c.faces.unavailable or "")
        assert "enrolled_face_match" in c.detection.registry.missing
        c.auth.create_org(CENTRE, "victim_support")
        c.auth.create_user(
            org=CENTRE, email="va@centre.example", password=cases.PASSWORD,
            roles=frozenset({Role.ANALYST}),
        )  # fmt: skip
        with pytest.raises(NotReady, match="haechi\\[faces\\]"):
            c.faces.enrolment.enrol(analyst(c), draft(), [Photo(images.png_bytes("astronaut"))])
        assert c.faces.enrolment.enrolments(analyst(c)) == []
        assert c.faces.sweep_expired() == 0
    finally:
        c.close()


def test_the_victim_withdrawing_her_report_with_her_pin_ends_her_case_enrolment(
    c: Container,
) -> None:
    from haechi.services.intake import ItemInput, ReportInput, Upload

    item = ItemInput(kind="file", upload=Upload(images.png_bytes("camera"), "camera.png"))
    receipt = c.intake.submit(ReportInput(cases.fields("victim"), [item], recipient=CENTRE))
    case_scoped = enrol_astronaut(c, case_number=receipt.case_number)
    org_wide = enrol_astronaut(c)
    c.reporter.withdraw(receipt.case_number, receipt.pin)
    ended = c.faces.enrolment.get(analyst(c), case_scoped)
    assert ended.status is EnrolmentStatus.WITHDRAWN and ended.withdrawn_by == "reporter"
    assert c.faces.enrolment.get(analyst(c), org_wide).status is EnrolmentStatus.ACTIVE
    with c.uow() as uow:
        assert [t.enrolment_id for t in uow.faces.templates([case_scoped, org_wide])] == [org_wide]
    assert [e["id"] for e in audit(c, "face.withdraw")] == [str(case_scoped)]
