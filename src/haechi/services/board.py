"""The regulator's live board: how each notice and each platform is doing against its SLA.

Per notice: "25 of 25 removed, slowest 36 h", clock states, escalation. Per platform: notices
open and overdue, items removed of items listed, the slowest removal, and median / 90th
percentile time to acknowledge and to act (linear interpolation between closest ranks, as
numpy's default; over the notices where that clock has stopped). A platform looking at the board
sees the same figures about itself only: the board reads through the same tenancy rule as the
notice list.

The board is polled every few seconds by the web UI; reading it is audited at most once per
`audit_every_s` per person, as token use is, so the audit log records who watched without
growing by an entry per poll.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from haechi.domain.notices import Notice, Outcome
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWorkFactory

DAY = 86400.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), interpolating linearly between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def format_duration(seconds: float | None) -> str:
    """Short human durations for the board: '45 min', '2 h 5 min', '36 h', '4 d 3 h'."""
    if seconds is None:
        return "—"
    minutes = int(abs(seconds) // 60)
    hours, mins = divmod(minutes, 60)
    if minutes < 1:
        return "< 1 min"
    if hours < 1:
        return f"{mins} min"
    if hours < 10:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    if hours < 72:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    notice: Notice
    removed: int
    answered: int
    ack_overdue: bool
    act_overdue: bool
    escalate: bool
    #: slowest removal (or, with none removed, slowest answer), from receipt
    slowest_s: float | None

    @property
    def headline(self) -> str:
        text = f"{self.removed} of {len(self.notice.items)} removed"
        return text + (f", slowest {format_duration(self.slowest_s)}" if self.slowest_s else "")


@dataclass(frozen=True, slots=True)
class PlatformFigures:
    org_id: int
    name: str
    notices: int
    open: int
    ack_overdue: int
    act_overdue: int
    escalations: int
    acted_late: int
    items: int
    removed: int
    outcomes: dict[str, int]
    slowest_s: float | None
    ack_median_s: float | None
    ack_p90_s: float | None
    act_median_s: float | None
    act_p90_s: float | None

    @property
    def headline(self) -> str:
        text = f"{self.removed} of {self.items} removed"
        return text + (f", slowest {format_duration(self.slowest_s)}" if self.slowest_s else "")


@dataclass(frozen=True, slots=True)
class Board:
    at: float
    since: float
    notices: list[NoticeFigures]
    platforms: list[PlatformFigures] = field(default_factory=list)


def notice_figures(notice: Notice, now: float) -> NoticeFigures:
    removed = notice.count(Outcome.REMOVED)
    slowest = notice.slowest(Outcome.REMOVED) if removed else notice.slowest()
    return NoticeFigures(
        notice=notice,
        removed=removed,
        answered=notice.answered,
        ack_overdue=notice.ack_clock.overdue(now),
        act_overdue=notice.act_clock.overdue(now),
        escalate=notice.needs_escalation(now),
        slowest_s=slowest,
    )


def platform_figures(rows: Sequence[NoticeFigures]) -> PlatformFigures:
    notices = [r.notice for r in rows]
    acks = [t for n in notices if (t := n.ack_clock.took) is not None]
    acts = [t for n in notices if (t := n.act_clock.took) is not None]
    removal = [s for n in notices if (s := n.slowest(Outcome.REMOVED)) is not None]
    return PlatformFigures(
        org_id=notices[0].to_org_id,
        name=notices[0].to_org,
        notices=len(notices),
        open=sum(1 for n in notices if n.acted_at is None),
        ack_overdue=sum(1 for r in rows if r.ack_overdue),
        act_overdue=sum(1 for r in rows if r.act_overdue),
        escalations=sum(1 for r in rows if r.escalate),
        acted_late=sum(1 for n in notices if n.act_clock.late),
        items=sum(len(n.items) for n in notices),
        removed=sum(r.removed for r in rows),
        outcomes={o.value: sum(n.count(o) for n in notices) for o in Outcome},
        slowest_s=max(removal, default=None),
        ack_median_s=percentile(acks, 50),
        ack_p90_s=percentile(acks, 90),
        act_median_s=percentile(acts, 50),
        act_p90_s=percentile(acts, 90),
    )


def build_board(notices: Sequence[Notice], *, now: float, since: float) -> Board:
    rows = [notice_figures(n, now) for n in notices]
    by_platform: dict[int, list[NoticeFigures]] = {}
    for row in rows:
        by_platform.setdefault(row.notice.to_org_id, []).append(row)
    platforms = sorted(
        (platform_figures(group) for group in by_platform.values()), key=lambda p: p.name
    )
    return Board(at=now, since=since, notices=rows, platforms=platforms)


class BoardService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        now: Callable[[], float] = time.time,
        audit_every_s: float = 300.0,
        max_notices: int = 5000,
    ) -> None:
        self._uow = uow_factory
        self._now = now
        self._audit_every_s = audit_every_s
        self._max = max_notices
        self._last_audit: dict[str, float] = {}
        self._lock = threading.Lock()

    def board(self, principal: Principal, *, days: int = 90) -> Board:
        """Figures over the notices the caller's organisation sent (or received) in `days`."""
        principal.require(Permission.NOTICES_READ)
        now = self._now()
        since = now - max(1, min(days, 3650)) * DAY
        with self._uow() as uow:
            notices = uow.notices.list_for_org(principal.org_id, since=since, limit=self._max)
            if self._due_for_audit(principal.actor, now):
                record(uow, principal, "notice.board", "notice", "-", count=len(notices))
        return build_board(notices, now=now, since=since)

    def _due_for_audit(self, actor: str, now: float) -> bool:
        with self._lock:
            last = self._last_audit.get(actor)
            if last is not None and now - last < self._audit_every_s:
                return False
            self._last_audit[actor] = now
            return True
