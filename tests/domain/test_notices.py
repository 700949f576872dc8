"""Notice rules: item and outcome validation, clock states, escalation."""

from __future__ import annotations

import pytest

from haechi.domain.errors import InvalidInput
from haechi.domain.notices import (
    Clock,
    ItemKind,
    ItemOutcome,
    NewItem,
    Notice,
    NoticeDraft,
    NoticeItem,
    Outcome,
    Stage,
    check_outcomes,
)
from haechi.domain.sla import HOUR, NAMED

T0 = 1_750_000_000.0


def notice(**kw: object) -> Notice:
    due = NAMED["kcsc_24h"].due_times(T0)
    values: dict[str, object] = {
        "id": 1,
        "from_org_id": 1,
        "from_org": "KCSC",
        "to_org_id": 2,
        "to_org": "Telegram",
        "legal_ground": "x",
        "policy": NAMED["kcsc_24h"],
        "sent_at": T0,
        "ack_due_at": due.ack_due_at,
        "act_due_at": due.act_due_at,
        "escalate_at": due.escalate_at,
        "items": (NoticeItem(1, ItemKind.URL, "https://t.me/a/1"),),
    }
    values.update(kw)
    return Notice(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "item",
    [
        NewItem(ItemKind.HASH, "abc"),  # no signal type
        NewItem(ItemKind.URL, "https://x.example/a", "pdq"),  # signal type on a URL
        NewItem(ItemKind.URL, "javascript:alert(1)"),
        NewItem(ItemKind.MESSAGE_LINK, "t.me/c/1/2"),  # no scheme
        NewItem(ItemKind.ROOM, "   "),
        NewItem(ItemKind.ROOM, "bad\x00room"),
        NewItem(ItemKind.URL, "https://x.example/" + "a" * 3000),
    ],
)
def test_bad_items_are_refused(item: NewItem) -> None:
    with pytest.raises(InvalidInput):
        item.checked()


def test_draft_is_cleaned_and_deduplicated() -> None:
    items = (
        NewItem(ItemKind.URL, " https://t.me/a/1 "),
        NewItem(ItemKind.URL, "https://t.me/a/1"),
        NewItem(ItemKind.MESSAGE_LINK, "tg://privatepost?channel=1&post=2"),
        NewItem(ItemKind.ROOM, "@deepfake_room"),
    )
    draft = NoticeDraft(" Telegram ", " Art. 14-2 ", NAMED["kcsc_24h"], items, note="  ").checked()
    assert draft.platform == "Telegram" and draft.legal_ground == "Art. 14-2"
    assert len(draft.items) == 3 and draft.note is None
    with pytest.raises(InvalidInput, match="at least one item"):
        NoticeDraft("Telegram", "x", NAMED["kcsc_24h"], ()).checked()
    with pytest.raises(InvalidInput, match="legal ground"):
        NoticeDraft("Telegram", " ", NAMED["kcsc_24h"], items).checked()


def test_refusal_needs_a_reason_and_items_appear_once() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        check_outcomes([ItemOutcome(1, Outcome.REFUSED, "  ")])
    with pytest.raises(InvalidInput, match="once"):
        check_outcomes([ItemOutcome(1, Outcome.REMOVED), ItemOutcome(1, Outcome.NOT_FOUND)])
    with pytest.raises(InvalidInput):
        check_outcomes([])
    ok = check_outcomes(
        [ItemOutcome(1, Outcome.REFUSED, " lawful satire "), ItemOutcome(2, Outcome.GEO_BLOCKED)]
    )
    assert ok[0].reason == "lawful satire" and ok[1].reason is None


def test_clock_states() -> None:
    running = Clock(started_at=0, due_at=100, done_at=None)
    assert not running.overdue(100) and running.overdue(100.5)
    assert running.remaining(40) == 60 and running.remaining(130) == -30
    assert running.took is None and not running.late
    on_time, late = Clock(0, 100, 90), Clock(0, 100, 150)
    assert not on_time.overdue(1e9) and not on_time.late and on_time.took == 90
    assert late.late and not late.overdue(1e9) and late.remaining(1e9) == -50


def test_stages_and_escalation() -> None:
    fresh = notice()
    assert fresh.stage is Stage.RECEIVED
    assert not fresh.needs_escalation(T0 + 24 * HOUR)
    assert fresh.needs_escalation(T0 + 24 * HOUR + 1)
    assert fresh.ack_clock.overdue(T0 + HOUR + 1)
    acked = notice(acknowledged_at=T0 + 60)
    assert acked.stage is Stage.ACKNOWLEDGED and not acked.ack_clock.overdue(T0 + 2 * HOUR)
    done = notice(acknowledged_at=T0 + 60, acted_at=T0 + 30 * HOUR)
    assert done.stage is Stage.ACTED and done.act_clock.late
    assert not done.needs_escalation(T0 + 100 * HOUR)


def test_counts_and_slowest() -> None:
    items = (
        NoticeItem(
            1, ItemKind.URL, "https://a", outcome=Outcome.REMOVED, outcome_at=T0 + 10 * HOUR
        ),
        NoticeItem(
            2, ItemKind.URL, "https://b", outcome=Outcome.REMOVED, outcome_at=T0 + 36 * HOUR
        ),
        NoticeItem(
            3,
            ItemKind.URL,
            "https://c",
            outcome=Outcome.REFUSED,
            reason="r",
            outcome_at=T0 + 40 * HOUR,
        ),
        NoticeItem(4, ItemKind.URL, "https://d"),
    )
    n = notice(items=items)
    assert n.count(Outcome.REMOVED) == 2 and n.answered == 3
    assert n.slowest(Outcome.REMOVED) == 36 * HOUR and n.slowest() == 40 * HOUR
    assert n.item(3) is items[2] and n.item(99) is None
