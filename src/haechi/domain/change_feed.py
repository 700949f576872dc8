"""Reading the change feed without losing a change to a slow commit.

Change-feed sequence numbers are handed out when a transaction writes its row, not when it commits.
On PostgreSQL two writers can commit out of order: seq 11 is visible while seq 10's transaction is
still open. A reader that simply moved its position to 11 would never see 10. The cursor therefore
remembers every number it skipped over (a *gap*) and the moment it noticed it; the reader asks for
those numbers again on each read until they appear or the gap is older than `wait_s`, after which
it is taken for a rolled-back transaction (which also leaves a number unused, and forever so).

Applying a change late is safe because a change row is a pointer ("content 42 changed"): the reader
loads the current state of what it points at, so order does not matter, only that none is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: more missing numbers than this in one read are not tracked one by one (a restored database, a
#: sequence bumped by hand); the oldest are given up first
MAX_TRACKED_GAPS = 10_000


@dataclass(slots=True)
class FeedCursor:
    position: int = 0
    wait_s: float = 300.0
    gaps: dict[int, float] = field(default_factory=dict)  # missing seq -> when first noticed

    def advance(self, seqs: Iterable[int], *, now: float) -> None:
        """Record seqs read past the position (ascending); numbers skipped become gaps."""
        for seq in seqs:
            if seq <= self.position:
                self.gaps.pop(seq, None)  # a gap that filled
                continue
            for missing in range(max(self.position + 1, seq - MAX_TRACKED_GAPS), seq):
                self.gaps.setdefault(missing, now)
            self.position = seq
        self._bound()

    def filled(self, seqs: Iterable[int]) -> None:
        """Gaps whose rows have now been read."""
        for seq in seqs:
            self.gaps.pop(seq, None)

    def expire(self, *, now: float) -> list[int]:
        """Give up on gaps older than `wait_s` (rolled back); returns those given up."""
        old = [seq for seq, seen in self.gaps.items() if now - seen > self.wait_s]
        for seq in old:
            del self.gaps[seq]
        return old

    def pending(self) -> list[int]:
        return sorted(self.gaps)

    def _bound(self) -> None:
        if len(self.gaps) > MAX_TRACKED_GAPS:
            for seq in sorted(self.gaps)[: len(self.gaps) - MAX_TRACKED_GAPS]:
                del self.gaps[seq]
