"""The SLA board's figures, checked by hand against seeded notices on a fixed clock."""

from __future__ import annotations

import pytest

from haechi.bootstrap import Container
from haechi.domain.notices import ItemOutcome, Outcome
from haechi.domain.sla import HOUR
from haechi.services.board import format_duration, percentile
from tests.fixtures.notices import T0, FakeClock, draft, seed, services


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([1800, 7200], 90) == pytest.approx(6660)
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)


def test_durations_read_like_people_write_them() -> None:
    cases = {None: "—", 20: "< 1 min", 45 * 60: "45 min", 2 * HOUR + 300: "2 h 5 min"}
    cases |= {3 * HOUR: "3 h", 36 * HOUR: "36 h", 99 * HOUR: "4 d 3 h", 96 * HOUR: "4 d"}
    for seconds, text in cases.items():
        assert format_duration(seconds) == text


def test_board_figures(container: Container) -> None:
    world = seed(container)
    clock = FakeClock()
    notices, board = services(container, clock)
    agent, reg = world.agent, world.regulator

    # N1: 25 items, acknowledged after 30 min, 24 removed after 10 h, the last after 36 h (late)
    n1 = notices.send(reg, draft(urls=25))
    clock.at(T0 + 0.5 * HOUR)
    notices.acknowledge(agent, n1.id)
    clock.at(T0 + 10 * HOUR)
    notices.report_outcomes(
        agent, n1.id, [ItemOutcome(i.id, Outcome.REMOVED) for i in n1.items[:24]]
    )
    clock.at(T0 + 36 * HOUR)
    notices.report_outcomes(agent, n1.id, [ItemOutcome(n1.items[24].id, Outcome.REMOVED)])
    # N2 (sent at +1 h): acknowledged 2 h later (late), one removed and one refused at +5 h
    clock.at(T0 + HOUR)
    n2 = notices.send(reg, draft(urls=2))
    clock.at(T0 + 3 * HOUR)
    notices.acknowledge(agent, n2.id)
    clock.at(T0 + 5 * HOUR)
    notices.report_outcomes(
        agent,
        n2.id,
        [
            ItemOutcome(n2.items[0].id, Outcome.REMOVED),
            ItemOutcome(n2.items[1].id, Outcome.REFUSED, "satire"),
        ],
    )
    # N3 (sent at +2 h): never answered. N4 to Signal under TAKE IT DOWN, sent at +39 h
    clock.at(T0 + 2 * HOUR)
    n3 = notices.send(reg, draft())
    clock.at(T0 + 39 * HOUR)
    n4 = notices.send(reg, draft("Signal", policy="take_it_down_48h"))

    clock.at(T0 + 40 * HOUR)
    figures = board.board(reg)
    rows = {f.notice.id: f for f in figures.notices}
    assert list(rows) == [n4.id, n3.id, n2.id, n1.id]
    assert rows[n1.id].headline == "25 of 25 removed, slowest 36 h"
    assert rows[n2.id].headline == "1 of 2 removed, slowest 4 h"
    assert rows[n3.id].headline == "0 of 1 removed"
    assert (rows[n3.id].ack_overdue, rows[n3.id].act_overdue, rows[n3.id].escalate) == (
        True,
        True,
        True,
    )
    assert not any((rows[n4.id].ack_overdue, rows[n4.id].act_overdue, rows[n4.id].escalate))

    signal, telegram = figures.platforms  # sorted by name
    assert telegram.name == "Telegram" and telegram.headline == "26 of 28 removed, slowest 36 h"
    assert (telegram.notices, telegram.open, telegram.ack_overdue, telegram.act_overdue) == (
        3,
        1,
        1,
        1,
    )
    assert (telegram.escalations, telegram.acted_late, telegram.items, telegram.removed) == (
        1,
        1,
        28,
        26,
    )
    assert telegram.outcomes == {"removed": 26, "geo_blocked": 0, "not_found": 0, "refused": 1}
    # time to acknowledge: 30 min and 2 h; time to act: 36 h and 4 h
    assert telegram.ack_median_s == pytest.approx(4500) and telegram.ack_p90_s == pytest.approx(
        6660
    )
    assert telegram.act_median_s == pytest.approx(20 * HOUR)
    assert telegram.act_p90_s == pytest.approx(4 * HOUR + 0.9 * 32 * HOUR)
    assert (signal.name, signal.notices, signal.open, signal.ack_overdue) == ("Signal", 1, 1, 0)
    assert signal.ack_median_s is None and signal.headline == "0 of 1 removed"

    # each platform sees its own figures only
    assert [p.name for p in board.board(agent).platforms] == ["Telegram"]
    assert [f.notice.id for f in board.board(world.other_agent).notices] == [n4.id]
    # a shorter window leaves older notices out
    clock.at(T0 + 30 * 24 * HOUR)
    assert [f.notice.id for f in board.board(reg, days=29).notices] == [n4.id]


def test_board_reads_are_audited_but_not_every_poll(container: Container) -> None:
    world = seed(container)
    clock = FakeClock()
    _, board = services(container, clock)

    def board_entries() -> int:
        with container.uow() as uow:
            return sum(
                1 for e in uow.audit.entries(after_seq=0, limit=1000) if e.action == "notice.board"
            )

    for _ in range(3):
        board.board(world.regulator)
    assert board_entries() == 1
    clock.at(T0 + 301)
    board.board(world.regulator)
    board.board(world.agent)
    assert board_entries() == 3
