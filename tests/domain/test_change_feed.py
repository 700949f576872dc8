"""FeedCursor: numbers skipped over are remembered until they commit or are given up."""

from __future__ import annotations

from haechi.domain.change_feed import MAX_TRACKED_GAPS, FeedCursor


def test_in_order_reads_leave_no_gaps() -> None:
    cursor = FeedCursor()
    cursor.advance([1, 2, 3], now=0)
    assert cursor.position == 3 and cursor.pending() == []


def test_a_skipped_number_waits_until_it_commits() -> None:
    cursor = FeedCursor(position=9)
    cursor.advance([11, 12], now=100)
    assert cursor.position == 12 and cursor.pending() == [10]
    assert cursor.expire(now=150) == []
    cursor.filled([10])
    assert cursor.pending() == []


def test_gaps_before_the_first_row_read_count_too() -> None:
    cursor = FeedCursor(position=3)
    cursor.advance([7], now=0)
    assert cursor.pending() == [4, 5, 6]


def test_a_number_never_committed_is_given_up_after_the_wait() -> None:
    cursor = FeedCursor(position=0, wait_s=60)
    cursor.advance([2], now=1000)
    cursor.advance([5], now=1030)
    assert cursor.expire(now=1061) == [1]
    assert cursor.pending() == [3, 4]
    assert sorted(cursor.expire(now=1100)) == [3, 4]
    assert cursor.position == 5


def test_reading_a_gap_as_a_fresh_row_fills_it() -> None:
    cursor = FeedCursor(position=0)
    cursor.advance([2], now=0)
    cursor.advance([1, 3], now=1)  # a re-read window returns an older row
    assert cursor.position == 3 and cursor.pending() == []


def test_a_huge_jump_tracks_a_bounded_number_of_gaps() -> None:
    cursor = FeedCursor(position=0)
    cursor.advance([MAX_TRACKED_GAPS * 3], now=0)
    assert len(cursor.pending()) == MAX_TRACKED_GAPS
    assert cursor.pending()[-1] == MAX_TRACKED_GAPS * 3 - 1
