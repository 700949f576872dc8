"""The review queue through the real services: scoping, decisions, banking, audit of every read."""

from __future__ import annotations

from typing import Any

import pytest

from haechi.bootstrap import Container
from haechi.domain.cases import CaseStatus, ItemStatus
from haechi.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from haechi.services.lookup import LookupOptions
from haechi.services.review import DecisionInput
from tests.fixtures.cases import BANK, principal, seed, upload_report

FACTS = {
    "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "illegal_content_explanation": "A sexual deepfake shared without consent.",
    "decision_facts": "A moderator compared the item with the reporter's own photo.",
}


@pytest.fixture
def c(container: Container) -> Container:
    seed(container)
    return container


def _audit(c: Container, action: str) -> list[dict[str, Any]]:
    with c.uow() as uow:
        entries = uow.audit.entries(after_seq=0, limit=1000)
    return [
        {"org": e.org_id, "id": e.resource_id, **e.detail} for e in entries if e.action == action
    ]


def _rows(c: Container, table: str) -> int:
    with c.engine.connect() as conn:
        return int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())


def test_other_tenants_see_nothing(c: Container) -> None:
    receipt = upload_report(c, "coffee")
    analyst = principal(c, "analyst@kcsc.example")
    assert [s.case.number for s in c.review.queue(analyst)] == [receipt.case_number]
    flagger = principal(c, "flag@flagger.example")
    assert c.review.queue(flagger) == []
    with pytest.raises(NotFound):
        c.review.case(flagger, receipt.case_number)
    item = c.review.case(analyst, receipt.case_number).items[0]
    with pytest.raises(NotFound):
        c.review.media(flagger, receipt.case_number, item.id)
    with pytest.raises(NotFound):
        c.review.decide(flagger, receipt.case_number, item.id, DecisionInput("escalate", note="x"))
    agent = principal(c, "agent@tg.example")
    with pytest.raises(Forbidden):
        c.review.queue(agent)


def test_sharing_gives_read_access_but_not_decisions(c: Container) -> None:
    receipt = upload_report(c, "coffee")
    analyst = principal(c, "analyst@kcsc.example")
    cop = principal(c, "cop@knpa.example")
    c.review.share(analyst, receipt.case_number, "KNPA")
    assert [s.case.number for s in c.review.queue(cop)] == [receipt.case_number]
    item = c.review.case(cop, receipt.case_number).items[0]
    with pytest.raises(Forbidden):
        c.review.decide(cop, receipt.case_number, item.id, DecisionInput("escalate", note="x"))
    with pytest.raises(Forbidden):
        c.review.share(cop, receipt.case_number, "Telegram")
    with pytest.raises(NotFound):
        c.review.share(analyst, receipt.case_number, "Nobody")
    assert c.review.queue(principal(c, "flag@flagger.example")) == []


def test_confirm_banks_the_item_and_exports_the_statement(c: Container) -> None:
    receipt = upload_report(c, "chelsea")
    analyst = principal(c, "analyst@kcsc.example")
    item = c.review.case(analyst, receipt.case_number).items[0]
    given = DecisionInput("confirm_illegal", BANK, None, FACTS | {"territorial_scope": ["KR"]})
    decision = c.review.decide(analyst, receipt.case_number, item.id, given)
    assert decision.bank_content_id is not None and decision.bank_name == BANK
    hits = c.lookup.lookup_signal("pdq", item.signals["pdq"], LookupOptions(bypass_coinflip=True))
    assert [h.content_id for h in hits] == [decision.bank_content_id]
    view = c.review.case(analyst, receipt.case_number)
    assert view.items[0].status is ItemStatus.CONFIRMED_ILLEGAL
    assert view.case.status is CaseStatus.CLOSED and c.review.queue(analyst) == []
    sor = c.review.statement_of_reasons(analyst, receipt.case_number, decision.id)
    assert sor["puid"] == f"{receipt.case_number}-{item.id}"
    assert sor["automated_detection"] == "No" and sor["source_type"] == "SOURCE_ARTICLE_16"
    assert sor["territorial_scope"] == ["KR"]
    [created] = _audit(c, "decision.create")
    assert created["content_id"] == decision.bank_content_id and created["bank"] == BANK
    assert _audit(c, "decision.export")[0]["decision"] == decision.id
    with pytest.raises(Conflict):
        c.review.decide(analyst, receipt.case_number, item.id, given)


def test_escalate_then_decide_not_illegal(c: Container) -> None:
    receipt = upload_report(c, "rocket")
    mod = principal(c, "mod@kcsc.example")
    item = c.review.case(mod, receipt.case_number).items[0]
    with pytest.raises(InvalidInput, match="note"):
        c.review.decide(mod, receipt.case_number, item.id, DecisionInput("escalate"))
    c.review.decide(mod, receipt.case_number, item.id, DecisionInput("escalate", note="unsure"))
    assert c.review.queue(mod)[0].case.status is CaseStatus.ESCALATED
    done = c.review.decide(
        mod, receipt.case_number, item.id, DecisionInput("not_illegal", note="a rocket")
    )
    assert done.statement_of_reasons is None
    with pytest.raises(Conflict):
        c.review.statement_of_reasons(mod, receipt.case_number, done.id)
    with pytest.raises(Forbidden):  # moderators decide, analysts bank
        c.review.decide(mod, receipt.case_number, item.id, DecisionInput("confirm_illegal", BANK))


def test_failed_decisions_write_nothing(c: Container) -> None:
    receipt = upload_report(c, "coffee")
    analyst = principal(c, "analyst@kcsc.example")
    item = c.review.case(analyst, receipt.case_number).items[0]
    before = (_rows(c, "decision"), _rows(c, "bank_content"), _rows(c, "audit_entry"))
    bad = [
        DecisionInput("confirm_illegal", "NO_SUCH_BANK", None, FACTS),
        DecisionInput(
            "confirm_illegal",
            BANK,
            None,
            FACTS | {"automated_decision": "AUTOMATED_DECISION_FULLY"},
        ),
        DecisionInput("confirm_illegal", BANK, None, {}),
        DecisionInput("confirm_illegal", BANK, None, FACTS | {"category": "nope"}),
        DecisionInput("not_illegal", BANK, "x"),
        DecisionInput("approve", None, "x"),
    ]
    for given in bad:
        with pytest.raises((InvalidInput, NotFound)):
            c.review.decide(analyst, receipt.case_number, item.id, given)
    with pytest.raises(NotFound):
        c.review.decide(analyst, receipt.case_number, 999, DecisionInput("escalate", note="x"))
    assert (_rows(c, "decision"), _rows(c, "bank_content"), _rows(c, "audit_entry")) == before
    assert c.review.case(analyst, receipt.case_number).items[0].status is ItemStatus.PENDING


def test_every_media_read_is_audited(c: Container) -> None:
    receipt = upload_report(c, "coffee")
    mod = principal(c, "mod@kcsc.example")
    item = c.review.case(mod, receipt.case_number).items[0]
    data, mime = c.review.media(mod, receipt.case_number, item.id)
    assert mime == "image/png" and data.startswith(b"\x89PNG")
    c.review.record_reveal(mod, receipt.case_number, item.id)
    [read] = _audit(c, "media.read")
    [reveal] = _audit(c, "media.reveal")
    assert read["item"] == reveal["item"] == item.id and read["id"] == receipt.case_number
    cop = principal(c, "cop@knpa.example")  # investigators may read cases, not reveal media
    c.review.share(principal(c, "analyst@kcsc.example"), receipt.case_number, "KNPA")
    with pytest.raises(Forbidden):
        c.review.media(cop, receipt.case_number, item.id)
