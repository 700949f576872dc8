"""What a reporter sees per picture with her PIN: received, reviewed, active, matched, removed."""

from __future__ import annotations

import pytest

from haechi.bootstrap import Container
from haechi.domain.notices import ItemKind, ItemOutcome, NewItem, NoticeDraft, Outcome
from haechi.domain.sla import resolve_policy
from haechi.services.lookup import LookupOptions
from haechi.services.reporter_progress import PictureProgress
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


def _look_up(c: Container, pdq: str, requester: str | None, route: str = "api.lookup") -> None:
    options = LookupOptions(bypass_coinflip=True, requester=requester, route=route)
    assert c.lookup.lookup_signal("pdq", pdq, options)
    c.events.flush()


def test_each_step_shows_up_and_only_counts_leave(c: Container) -> None:
    receipt = upload_report(c, "chelsea")
    [first] = c.reporter.status(receipt.case_number, receipt.pin).pictures
    assert first == PictureProgress(status=first.status)  # received, nothing else yet
    analyst = principal(c, "analyst@kcsc.example")
    view = c.review.case(analyst, receipt.case_number)
    [item] = view.items
    decide = DecisionInput("confirm_illegal", BANK, None, FACTS)
    c.review.decide(analyst, receipt.case_number, item.id, decide)
    banked = c.reporter.status(receipt.case_number, receipt.pin).pictures[0]
    assert (banked.reviewed, banked.hashes_active, banked.platforms_matched) == (True, True, 0)

    for caller in ("Telegram", "Telegram", "KakaoTalk", None):
        _look_up(c, item.signals["pdq"], caller)
    _look_up(c, item.signals["pdq"], "another reporter", route="intake")
    matched = c.reporter.status(receipt.case_number, receipt.pin).pictures[0]
    assert matched.platforms_matched == 2 and not matched.removed

    notice = c.notices.send(
        analyst,
        NoticeDraft(
            "Telegram",
            "Art. 14-2",
            resolve_policy("kcsc_24h"),
            (NewItem(ItemKind.HASH, item.signals["sha256"].upper(), "sha256"),),
            case_id=view.case.id,
        ),
    )
    agent = principal(c, "agent@tg.example")
    [sent] = notice.items
    c.notices.report_outcomes(agent, notice.id, [ItemOutcome(sent.id, Outcome.REMOVED)])
    removed = c.reporter.status(receipt.case_number, receipt.pin).pictures[0]
    assert removed.removed and removed.platforms_matched == 2

    gone = c.reporter.withdraw(receipt.case_number, receipt.pin).pictures[0]
    assert not gone.hashes_active and gone.reviewed and gone.removed


def test_other_outcomes_and_other_cases_do_not_count_as_removed(c: Container) -> None:
    mine = upload_report(c, "coffee")
    other = upload_report(c, "rocket")
    analyst = principal(c, "analyst@kcsc.example")
    their = c.review.case(analyst, other.case_number)
    my_item = c.review.case(analyst, mine.case_number).items[0]
    hashed = NewItem(ItemKind.HASH, my_item.signals["sha256"], "sha256")
    policy = resolve_policy("kcsc_24h")
    wrong_case = c.notices.send(
        analyst, NoticeDraft("Telegram", "x", policy, (hashed,), case_id=their.case.id)
    )
    refused = c.notices.send(
        analyst,
        NoticeDraft("Telegram", "x", policy, (hashed,), case_id=my_item.case_id),
    )
    agent = principal(c, "agent@tg.example")
    for notice, outcome in ((wrong_case, Outcome.REMOVED), (refused, Outcome.REFUSED)):
        given = [
            ItemOutcome(notice.items[0].id, outcome, "no" if outcome is Outcome.REFUSED else None)
        ]
        c.notices.report_outcomes(agent, notice.id, given)
    [picture] = c.reporter.status(mine.case_number, mine.pin).pictures
    assert not picture.removed and not picture.reviewed and picture.platforms_matched == 0
