"""Report intake through the real services and SQLite: hashing, matching, dedup, PIN, withdrawal."""

from __future__ import annotations

import hashlib

import pytest

from haechi.bootstrap import Container
from haechi.domain.cases import CaseStatus, ItemStatus, Priority, ReportStatus
from haechi.domain.errors import (
    InvalidInput,
    InvalidSignal,
    NotFound,
    NotReady,
    RateLimited,
    UnsupportedMedia,
)
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.lookup import LookupOptions
from haechi.services.review import DecisionInput
from tests.fixtures import images
from tests.fixtures.cases import (
    BANK,
    bank_photo,
    fields,
    hash_report,
    principal,
    seed,
    upload_report,
)


@pytest.fixture
def c(container: Container) -> Container:
    seed(container)
    return container


def _count(c: Container, table: str) -> int:
    with c.engine.connect() as conn:
        return int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())


def test_upload_is_hashed_matched_and_stored_by_sha256(c: Container) -> None:
    content_id = bank_photo(c)
    receipt = upload_report(c)
    assert receipt.case_number.startswith("HC-2") and len(receipt.pin) == 8
    [evidence] = receipt.evidence
    assert {(e.bank, e.content_id, e.distance) for e in evidence} >= {(BANK, content_id, 0)}
    analyst = principal(c, "analyst@kcsc.example")
    view = c.review.case(analyst, receipt.case_number)
    [item] = view.items
    data = images.png_bytes("astronaut")
    assert item.media_key == hashlib.sha256(data).hexdigest()
    assert item.signals["sha256"] == item.media_key and "pdq" in item.signals
    assert (c.settings.blob_dir / item.media_key[:2] / item.media_key).read_bytes() == data
    assert view.case.priority is Priority.MATCHED
    assert view.reports[0].pin_hash and receipt.pin not in view.reports[0].pin_hash


def test_hash_only_url_and_chat_link_items(c: Container) -> None:
    md5 = hashlib.md5(b"x").hexdigest()
    items = [
        ItemInput(kind="hash", signals={"md5": md5.upper()}),
        ItemInput(kind="url", url="https://example.org/p/1.jpg"),
        ItemInput(kind="chat_link", chat_link="https://t.me/c/123/456"),
        ItemInput(kind="chat_link", chat_link="tg://resolve?domain=room&post=7"),
    ]
    receipt = c.intake.submit(ReportInput(fields("public"), items))
    view = c.review.case(principal(c, "analyst@kcsc.example"), receipt.case_number)
    assert [i.kind.value for i in view.items] == ["hash", "url", "chat_link", "chat_link"]
    assert view.items[0].signals == {"md5": md5} and view.items[0].media_key is None
    assert view.case.priority is Priority.ROUTINE


def test_dedup_attaches_exact_and_near_copies_to_the_open_case(c: Container) -> None:
    first = upload_report(c, "coffee")
    sha = hashlib.sha256(images.png_bytes("coffee")).hexdigest()
    exact = hash_report(c, {"sha256": sha}, kind="public")
    resized = images.encode(images.resized(images.load("coffee"), 0.5), "JPEG", quality=80)
    item = ItemInput(kind="file", upload=Upload(resized, "small.jpg"))
    near = c.intake.submit(ReportInput(fields("public"), [item]))
    other = upload_report(c, "chelsea")
    assert exact.case_number == near.case_number == first.case_number
    assert exact.attached and near.attached and not first.attached
    assert other.case_number != first.case_number
    view = c.review.case(principal(c, "analyst@kcsc.example"), first.case_number)
    assert len(view.reports) == 3 and len(view.items) == 3


def test_dedup_never_crosses_owners(c: Container) -> None:
    police = principal(c, "cop@knpa.example")
    mine = upload_report(c, "rocket", kind="police", who=police)
    public = upload_report(c, "rocket")
    assert mine.case_number != public.case_number
    assert c.review.queue(police)[0].case.number == mine.case_number


def test_trusted_and_regulator_reports_go_first(c: Container) -> None:
    bank_photo(c, "astronaut")
    routine = upload_report(c, "camera")
    matched = upload_report(c, "astronaut")
    flagger = principal(c, "flag@flagger.example")
    trusted = upload_report(c, "chelsea", kind="trusted_flagger", who=flagger)
    assert trusted.attached is False
    analyst = principal(c, "analyst@kcsc.example")
    order = [s.case.number for s in c.review.queue(analyst)]
    assert order == [matched.case_number, routine.case_number]  # the flagger owns its case
    kcsc_trusted = hash_report(c, {"md5": "0" * 32}, kind="regulator", who=analyst).case_number
    order = [s.case.number for s in c.review.queue(analyst)]
    assert order == [kcsc_trusted, matched.case_number, routine.case_number]


def test_status_and_withdrawal_with_pin(c: Container) -> None:
    receipt = upload_report(c, "coffee")
    key = hashlib.sha256(images.png_bytes("coffee")).hexdigest()
    assert (c.settings.blob_dir / key[:2] / key).exists()
    status = c.reporter.status(receipt.case_number, receipt.pin)
    assert status.report_status is ReportStatus.RECEIVED and status.items == [ItemStatus.PENDING]
    with pytest.raises(NotFound):
        c.reporter.status(receipt.case_number, "00000000" if receipt.pin != "00000000" else "1" * 8)
    with pytest.raises(NotFound):
        c.reporter.status("HC-2020-999999", receipt.pin)
    with pytest.raises(InvalidInput):
        c.reporter.status("DROP TABLE", receipt.pin)
    done = c.reporter.withdraw(receipt.case_number.lower(), receipt.pin)
    assert done.report_status is ReportStatus.WITHDRAWN and done.items == [ItemStatus.WITHDRAWN]
    view = c.review.case(principal(c, "analyst@kcsc.example"), receipt.case_number)
    assert view.case.status is CaseStatus.WITHDRAWN and view.items[0].media_key is None
    assert not (c.settings.blob_dir / key[:2] / key).exists()
    assert c.reporter.withdraw(receipt.case_number, receipt.pin).items == [ItemStatus.WITHDRAWN]


def test_wrong_pins_lock_the_case_number(c: Container) -> None:
    receipt = hash_report(c, {"md5": "1" * 32})
    wrong = "12345678" if receipt.pin != "12345678" else "87654321"
    for _ in range(5):
        with pytest.raises(NotFound):
            c.reporter.status(receipt.case_number, wrong)
    with pytest.raises(RateLimited):
        c.reporter.status(receipt.case_number, receipt.pin)


def test_victim_withdrawal_stops_her_banked_hashes_matching(c: Container) -> None:
    receipt = upload_report(c, "chelsea")
    analyst = principal(c, "analyst@kcsc.example")
    [item] = c.review.case(analyst, receipt.case_number).items
    statement = {"illegal_content_legal_ground": "Art. 14-2", "illegal_content_explanation": "fake"}
    statement["decision_facts"] = "Reviewed by a person: a sexual deepfake of the reporter."
    c.review.decide(
        analyst,
        receipt.case_number,
        item.id,
        DecisionInput("confirm_illegal", BANK, None, statement),
    )
    options = LookupOptions(bypass_coinflip=True)
    assert c.lookup.lookup_signal("pdq", item.signals["pdq"], options)
    c.reporter.withdraw(receipt.case_number, receipt.pin)
    assert c.lookup.lookup_signal("pdq", item.signals["pdq"], options) == []
    assert c.lookup.lookup_signal("sha256", item.signals["sha256"], options) == []


def test_public_withdrawal_keeps_confirmed_bank_content(c: Container) -> None:
    receipt = upload_report(c, "rocket", kind="public")
    analyst = principal(c, "analyst@kcsc.example")
    [item] = c.review.case(analyst, receipt.case_number).items
    statement = {"illegal_content_legal_ground": "law", "illegal_content_explanation": "why"}
    statement["decision_facts"] = "checked by a person"
    c.review.decide(
        analyst,
        receipt.case_number,
        item.id,
        DecisionInput("confirm_illegal", BANK, None, statement),
    )
    c.reporter.withdraw(receipt.case_number, receipt.pin)
    hits = c.lookup.lookup_signal("pdq", item.signals["pdq"], LookupOptions(bypass_coinflip=True))
    assert hits


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"good_faith": False}, InvalidInput),
        ({"explanation": ""}, InvalidInput),
        ({"reporter_kind": "regulator"}, InvalidInput),  # anonymous cannot jump the queue
        ({"reporter_kind": "alien"}, InvalidInput),
        ({"contact": "x" * 400}, InvalidInput),
        ({"channel": "pigeon"}, InvalidInput),
    ],
)
def test_bad_fields_write_nothing(c: Container, change: dict[str, object], error: type) -> None:
    before = (_count(c, "case"), _count(c, "report"), _count(c, "audit_entry"))
    item = ItemInput(kind="hash", signals={"md5": "2" * 32})
    with pytest.raises(error):
        c.intake.submit(ReportInput(fields() | change, [item]))
    assert (_count(c, "case"), _count(c, "report"), _count(c, "audit_entry")) == before


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (ItemInput(kind="hash", signals={"md5": "xyz"}), InvalidSignal),
        (ItemInput(kind="hash", signals={"nope": "1"}), InvalidInput),
        (ItemInput(kind="hash"), InvalidInput),
        (ItemInput(kind="url", url="javascript:alert(1)"), InvalidInput),
        (ItemInput(kind="chat_link", chat_link="t.me/x"), InvalidInput),
        (ItemInput(kind="file"), InvalidInput),
        (ItemInput(kind="file", upload=Upload(b"not an image at all")), UnsupportedMedia),
        (ItemInput(kind="file", upload=Upload(images.png_bytes("coffee")[:400])), UnsupportedMedia),
        (ItemInput(kind="teleport"), InvalidInput),
    ],
)
def test_bad_items_write_nothing(c: Container, item: ItemInput, error: type) -> None:
    good = ItemInput(kind="file", upload=Upload(images.png_bytes("camera")))
    with pytest.raises(error):
        c.intake.submit(ReportInput(fields(), [good, item]))
    assert _count(c, "case") == _count(c, "case_item") == 0
    assert [p for p in c.settings.blob_dir.rglob("*") if p.is_file()] == []


def test_no_regulator_means_not_ready(container: Container) -> None:
    with pytest.raises(NotReady):
        hash_report(container, {"md5": "3" * 32})


def test_recipient_must_be_a_regulator_or_support_centre(c: Container) -> None:
    c.auth.create_org("Haven", "victim_support", "Asia/Seoul")
    item = [ItemInput(kind="hash", signals={"md5": "4" * 32})]
    receipt = c.intake.submit(ReportInput(fields(), item, recipient="Haven"))
    with pytest.raises(NotFound):
        c.review.case(principal(c, "analyst@kcsc.example"), receipt.case_number)
    with pytest.raises(InvalidInput):
        c.intake.submit(ReportInput(fields(), item, recipient="Telegram"))
