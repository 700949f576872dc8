"""Detection in background jobs: reported media are scored in batches, results are stored per item
and detector with version and latency, failures stay on their item, and routing rules lift a
case's priority — never deciding or removing anything."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from haechi import bootstrap
from haechi.adapters.fetch.http_fetcher import FetchPolicy
from haechi.adapters.webhooks import GuardedWebhookSender
from haechi.bootstrap import Container
from haechi.domain.cases import ItemStatus, Priority
from haechi.domain.detections import RuleAction
from haechi.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from haechi.domain.tenancy import Principal, Role
from haechi.services.detection import JOB_KIND
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.ports_detectors import DetectorScore, MediaInput, Signals
from haechi.services.ports_jobs import JobState
from haechi.services.review import DecisionInput
from haechi.services.webhooks import WebhookService
from tests.conftest import make_settings
from tests.fixtures import cases, images

PHOTOS = ("astronaut", "coffee", "chelsea")


class FixedDetector:
    """A test double with fixed signals (stands in for a model we cannot run on benign data)."""

    def __init__(self, name: str, signals: dict[str, float], *, fail_on: bytes | None = None):
        self.name = name
        self.version = "fixed-1"
        self.input_kinds = frozenset({"photo"})
        self._signals = signals
        self._fail_on = fail_on
        self.batches: list[int] = []

    def score(self, media: MediaInput) -> Signals:
        if self._fail_on is not None and media.data == self._fail_on:
            raise RuntimeError("model exploded on this input")
        return tuple(DetectorScore(k, v) for k, v in self._signals.items())

    def score_batch(self, media: Sequence[MediaInput]) -> list[Signals]:
        self.batches.append(len(media))
        return [self.score(m) for m in media]


def build(tmp_path: Path, **overrides: object) -> Container:
    c = bootstrap.build(make_settings(tmp_path, **overrides))
    c.matcher.load()
    cases.seed(c)
    return c


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Container]:
    c = build(tmp_path, detection_batch_size=2)
    yield c
    c.close()


@pytest.fixture
def stubbed(tmp_path: Path) -> Iterator[Container]:
    c = build(tmp_path, detectors_enabled=[], face_matching=False)
    yield c
    c.close()


def report(c: Container, names: Sequence[str] = PHOTOS, kind: str = "victim") -> str:
    items = [ItemInput(kind="file", upload=Upload(images.png_bytes(n), f"{n}.png")) for n in names]
    items.append(ItemInput(kind="hash", signals={"md5": secrets.token_hex(16)}))
    who = cases.principal(c, "flag@flagger.example") if kind == "trusted_flagger" else None
    return c.intake.submit(ReportInput(cases.fields(kind), items), who).case_number


def analyst(c: Container) -> Principal:
    return cases.principal(c, "analyst@kcsc.example")


def test_reported_media_are_scored_in_batched_jobs(real: Container) -> None:
    number = report(real)
    jobs = real.jobs.list(kind=JOB_KIND)
    assert sorted(len(j.payload["items"]) for j in jobs) == [1, 2]  # 3 photos, batches of 2
    assert real.jobs.run_until_idle() == 2
    assert {j.state for j in real.jobs.list(kind=JOB_KIND)} == {JobState.DONE}
    found = real.detection.service.for_case(analyst(real), number)
    view = real.review.case(analyst(real), number)
    photos = [i.id for i in view.items if i.media_key]
    assert sorted(found.results) == sorted(photos)  # the hash-only item has nothing to score
    for item_id in photos:
        by_detector = {r.detector: r for r in found.results[item_id]}
        assert {"nudity", "provenance"} <= set(by_detector)
        nudity = by_detector["nudity"]
        assert nudity.error is None and nudity.latency_ms > 0
        assert nudity.version == real.detection.registry.get("nudity").version  # type: ignore[union-attr]
        assert nudity.scores[0].name == "nudity" and nudity.scores[0].value < 0.4
        assert {s.name for s in by_detector["provenance"].scores} == {
            "c2pa_manifest",
            "ai_metadata_trace",
        }
    assert sorted(
        r.batch_size for i in photos for r in found.results[i] if r.detector == "nudity"
    ) == [1, 2, 2]
    assert all(i.status is ItemStatus.PENDING for i in view.items)  # nothing decided


def test_the_issue_rule_lifts_a_routine_case(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("nudity", {"nudity": 0.9}))
    stubbed.detection.registry.register(FixedDetector("faces", {"enrolled_face_match": 1.0}))
    rules = stubbed.detection.routing
    rules.create(
        analyst(stubbed),
        name="likely victim",
        expression="nudity >= 0.8 and enrolled_face_match",
        action="priority_review",
    )
    number = report(stubbed, names=("astronaut",))
    assert stubbed.review.case(analyst(stubbed), number).case.priority is Priority.ROUTINE
    stubbed.jobs.run_until_idle()
    view = stubbed.review.case(analyst(stubbed), number)
    assert view.case.priority is Priority.MATCHED
    hits = stubbed.detection.service.for_case(analyst(stubbed), number).hits
    (item_hits,) = hits.values()
    assert [(h.rule_name, h.action) for h in item_hits] == [
        ("likely victim", RuleAction.PRIORITY_REVIEW)
    ]
    assert item_hits[0].signals == {"nudity": 0.9, "enrolled_face_match": 1.0}
    audit = stubbed.audit.page(_admin(stubbed), limit=500).entries
    assert [e.actor for e in audit if e.action == "routing.hit"] == ["system:routing"]
    # the statement of reasons says automated means helped detect it (DSA `automated_detection`)
    item_id = next(iter(hits))
    decision = stubbed.review.decide(
        analyst(stubbed),
        number,
        item_id,
        DecisionInput(
            outcome="confirm_illegal",
            statement={
                "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
                "illegal_content_explanation": "a sexual deepfake of a real person",
                "decision_facts": "the reporter's account and the picture",
            },
        ),
    )
    assert decision.statement_of_reasons is not None
    assert decision.statement_of_reasons["automated_detection"] == "Yes"
    assert decision.statement_of_reasons["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    # a second run scores again but does not record the same hit twice
    stubbed.detection.service.rerun(analyst(stubbed), number)
    stubbed.jobs.run_until_idle()
    again = stubbed.detection.service.for_case(analyst(stubbed), number).hits
    assert sum(len(h) for h in again.values()) == 1


def _admin(c: Container) -> Principal:
    c.auth.create_user(
        org="KCSC",
        email="admin@kcsc.example",
        password=cases.PASSWORD,
        roles=frozenset({Role.ADMIN}),
    )
    return cases.principal(c, "admin@kcsc.example")


def test_rules_never_lower_a_trusted_case_and_flag_only_marks(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("nudity", {"nudity": 0.95}))
    rules = stubbed.detection.routing
    rules.create(analyst(stubbed), name="hot", expression="nudity >= 0.8", action="priority_review")
    flagger = cases.principal(stubbed, "flag@flagger.example")
    rules.create(flagger, name="mark", expression="nudity > 0.5", action="flag")
    trusted = report(stubbed, names=("coffee",), kind="trusted_flagger")
    stubbed.jobs.run_until_idle()
    view = stubbed.review.case(flagger, trusted)
    assert view.case.priority is Priority.TRUSTED  # the flagger's own case: its own rule only
    hits = stubbed.detection.service.for_case(flagger, trusted).hits
    assert [h.action for hs in hits.values() for h in hs] == [RuleAction.FLAG]


def test_disabled_rules_and_other_tenants_rules_do_not_apply(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("nudity", {"nudity": 0.95}))
    rules = stubbed.detection.routing
    rule = rules.create(analyst(stubbed), name="off", expression="nudity > 0.5", action="flag")
    rules.update(analyst(stubbed), rule.id, enabled=False)
    flagger = cases.principal(stubbed, "flag@flagger.example")
    rules.create(flagger, name="theirs", expression="nudity > 0.5", action="priority_review")
    number = report(stubbed, names=("coffee",))
    stubbed.jobs.run_until_idle()
    assert stubbed.detection.service.for_case(analyst(stubbed), number).hits == {}
    assert stubbed.review.case(analyst(stubbed), number).case.priority is Priority.ROUTINE


def test_a_failing_detector_is_recorded_on_its_item_only(stubbed: Container) -> None:
    bad = images.png_bytes("chelsea")
    flaky = FixedDetector("flaky", {"face_swap": 0.2}, fail_on=bad)
    stubbed.detection.registry.register(flaky)
    number = report(stubbed)
    stubbed.jobs.run_until_idle()
    found = stubbed.detection.service.for_case(analyst(stubbed), number).results
    by_error = sorted((r.error or "") for rs in found.values() for r in rs)
    assert by_error[:2] == ["", ""]
    assert by_error[2] == "RuntimeError: model exploded on this input"
    assert flaky.batches[0] == 3  # the batch was tried first, then items one by one
    assert {j.state for j in stubbed.jobs.list(kind=JOB_KIND)} == {JobState.DONE}


def test_missing_media_and_non_finite_scores_are_errors(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("weird", {"x": float("nan")}))
    number = report(stubbed, names=("astronaut",))
    stubbed.jobs.run_until_idle()
    (results,) = stubbed.detection.service.for_case(analyst(stubbed), number).results.values()
    assert results[0].error == "ValueError: signal 'x' is not a finite number"
    number = report(stubbed, names=("camera",))
    view = stubbed.review.case(analyst(stubbed), number)
    key = next(i.media_key for i in view.items if i.media_key)
    (stubbed.settings.blob_dir / key[:2] / key).unlink(missing_ok=True)
    for path in stubbed.settings.blob_dir.rglob(f"*{key}*"):
        path.unlink()
    stubbed.jobs.run_until_idle()
    (results,) = stubbed.detection.service.for_case(analyst(stubbed), number).results.values()
    assert (results[0].error or "").startswith("media unavailable")


def test_notify_rules_send_the_owner_a_webhook(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("nudity", {"nudity": 0.9}))
    admin = _admin(stubbed)
    hooks = WebhookService(
        uow_factory=stubbed.uow,
        sender=GuardedWebhookSender(FetchPolicy(allow_private=True)),
        key=b"k" * 32,
    )
    endpoint, _ = hooks.register(admin, url="http://127.0.0.1:9/hook", events=["case.routed"])
    stubbed.detection.routing.create(
        admin, name="tell", expression="nudity >= 0.8", action="notify"
    )
    number = report(stubbed, names=("astronaut",))
    stubbed.jobs.run_until_idle()
    (delivery,) = hooks.deliveries(admin, endpoint.id)
    assert delivery.event.value == "case.routed"
    assert number in delivery.payload and "not a decision" in delivery.payload


def test_rule_management_permissions_and_errors(stubbed: Container) -> None:
    rules = stubbed.detection.routing
    moderator = cases.principal(stubbed, "mod@kcsc.example")
    police = cases.principal(stubbed, "cop@knpa.example")
    with pytest.raises(Forbidden):
        rules.create(moderator, name="x", expression="nudity > 0.5", action="flag")
    rule = rules.create(analyst(stubbed), name="x", expression="NUDITY>.5", action="flag")
    assert rule.expression == "nudity > 0.5"
    assert [r.name for r in rules.rules(moderator)] == ["x"]  # moderators read them
    assert rules.rules(police) == []  # another tenant's rules are invisible
    with pytest.raises(Conflict):
        rules.create(analyst(stubbed), name="x", expression="a", action="flag")
    with pytest.raises(InvalidInput, match="action"):
        rules.create(analyst(stubbed), name="y", expression="a", action="delete")
    with pytest.raises(InvalidInput, match="rule"):
        rules.create(analyst(stubbed), name="y", expression="a >", action="flag")
    with pytest.raises(NotFound):
        rules.update(cases.principal(stubbed, "flag@flagger.example"), rule.id, enabled=False)
    changed = rules.update(analyst(stubbed), rule.id, expression="b or c", action="notify")
    assert (changed.expression, changed.action) == ("b OR c", RuleAction.NOTIFY)
    rules.delete(analyst(stubbed), rule.id)
    assert rules.rules(analyst(stubbed)) == []
    with pytest.raises(NotFound):
        rules.delete(analyst(stubbed), rule.id)


def test_reading_detections_is_scoped_to_the_case_tenant(stubbed: Container) -> None:
    number = report(stubbed, names=("astronaut",))
    with pytest.raises(NotFound):
        stubbed.detection.service.for_case(cases.principal(stubbed, "flag@flagger.example"), number)
    with pytest.raises(Forbidden):
        stubbed.detection.service.for_case(cases.principal(stubbed, "agent@tg.example"), number)
    with pytest.raises(Forbidden):
        stubbed.detection.service.rerun(cases.principal(stubbed, "mod@kcsc.example"), number)


def test_without_detectors_nothing_is_queued(stubbed: Container) -> None:
    report(stubbed)
    assert stubbed.jobs.list(kind=JOB_KIND) == []
    running, missing = stubbed.detection.service.detectors(analyst(stubbed))
    assert running == []
    assert "nudity" not in missing  # not asked for, so not "unavailable" either


def test_a_new_rule_reaches_items_scored_before_it(stubbed: Container) -> None:
    stubbed.detection.registry.register(FixedDetector("nudity", {"nudity": 0.9}))
    number = report(stubbed, names=("astronaut",))
    stubbed.jobs.run_until_idle()
    assert stubbed.detection.service.for_case(analyst(stubbed), number).hits == {}
    rules = stubbed.detection.routing
    rules.create(
        analyst(stubbed), name="off", expression="nudity > 0.5", action="flag", enabled=False
    )
    assert stubbed.jobs.list(kind="detect.route") == []  # a switched-off rule changes nothing
    rules.create(
        analyst(stubbed), name="late", expression="nudity >= 0.8", action="priority_review"
    )
    assert stubbed.jobs.run_until_idle() == 1
    hits = stubbed.detection.service.for_case(analyst(stubbed), number).hits
    assert [h.rule_name for hs in hits.values() for h in hs] == ["late"]
    assert stubbed.review.case(analyst(stubbed), number).case.priority is Priority.MATCHED
