"""The in-memory matcher: one exact index per signal type, kept current from the change feed.

Every replica (API worker) holds its own Matcher. It builds from the database once, then replays the
change feed (`refresh`), so an added, disabled or withdrawn item takes effect within one refresh
interval (0.25 s by default), and immediately in the process that made the change (a late commit is
picked up late, never lost: services/feed_reader.py). Matching policy
(bank thresholds, enablement, HMA's coinflip) is applied here, after the index returns candidates
within the largest threshold any bank uses.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from haechi.domain.banks import Bank, BankContent, coinflip_allows, disable_ts_allows
from haechi.domain.signals import SignalRegistry
from haechi.domain.video import VideoMatch
from haechi.services.feed_reader import FeedReader
from haechi.services.ports import (
    IndexFactory,
    MatcherSnapshot,
    SignalIndex,
    SnapshotStore,
    UnitOfWorkFactory,
)
from haechi.services.ports_video import VideoSignalIndex

_PAGE = 5000
_REWIND = 1000  # start-up re-reads this many feed numbers below where it starts from


@dataclass(frozen=True, slots=True)
class Hit:
    content_id: int
    bank_name: str
    distance: int
    #: for video signals (vpdq): both match percentages and the matched time ranges
    video: VideoMatch | None = None


@dataclass(slots=True)
class _Entry:
    bank_id: int
    disable_until_ts: int
    signal_types: tuple[str, ...]

    def enabled_at(self, now: float) -> bool:
        return disable_ts_allows(self.disable_until_ts, now)


@dataclass(frozen=True, slots=True)
class IndexStatus:
    present: bool
    built_to: int
    size: int


class Matcher:
    def __init__(
        self,
        *,
        registry: SignalRegistry,
        index_factory: IndexFactory,
        uow_factory: UnitOfWorkFactory,
        gap_wait_s: float = 300.0,
    ) -> None:
        self._registry = registry
        self._uow = uow_factory
        self._index_factory = index_factory
        self._indexes: dict[str, SignalIndex] = {
            name: index_factory(name) for name in registry.signal_types
        }
        self._entries: dict[int, _Entry] = {}
        self._banks: dict[int, Bank] = {}
        self._bank_members: dict[int, set[int]] = defaultdict(set)
        self._radius: dict[str, int] = {}
        self._feed = FeedReader(uow_factory, wait_s=gap_wait_s, page=_PAGE)
        self._built_to = 0.0
        self._last_refresh = 0.0
        self._ready = False
        self._lock = threading.Lock()

    # -- state ----------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready

    def seconds_since_refresh(self) -> float:
        return time.time() - self._last_refresh

    def status(self) -> dict[str, IndexStatus]:
        return {
            name: IndexStatus(
                present=self._ready,
                built_to=int(self._built_to) if self._ready else -1,
                size=len(idx),
            )
            for name, idx in self._indexes.items()
        }

    def load(self, snapshots: SnapshotStore | None = None) -> None:
        """Build every index (start-up): from a snapshot plus the change feed since, when one is
        available, else from the database. Safe to call again."""
        state = snapshots.load() if snapshots is not None else None
        if state is not None and set(state.indexes) == set(self._indexes):
            with self._lock:
                self._adopt(state)
        else:
            self._load_from_database()
        self.refresh()

    def save_snapshot(self, snapshots: SnapshotStore) -> int:
        """Write the current state; returns the change-feed position it covers (below any gap
        still open, so a replica starting from it re-reads what may yet commit)."""
        with self._lock:
            seq = self._feed.safe_position()
            entries = {
                cid: (e.bank_id, e.disable_until_ts, e.signal_types)
                for cid, e in self._entries.items()
            }
            snapshots.save(
                MatcherSnapshot(
                    seq=seq,
                    banks=list(self._banks.values()),
                    entries=entries,
                    indexes=self._indexes,
                )
            )
            return seq

    def _adopt(self, state: MatcherSnapshot) -> None:
        self._indexes = dict(state.indexes)
        self._banks = {b.id: b for b in state.banks}
        self._entries = {cid: _Entry(*values) for cid, values in state.entries.items()}
        self._bank_members = defaultdict(set)
        for cid, entry in self._entries.items():
            self._bank_members[entry.bank_id].add(cid)
        self._feed.restart_at(state.seq, rewind=_REWIND)
        self._recompute_radius()
        self._built_to = self._last_refresh = time.time()
        self._ready = True

    def _load_from_database(self) -> None:
        with self._lock:
            with self._uow() as uow:
                seq = uow.banks.latest_seq()
                banks = uow.banks.list_banks()
            self._banks = {b.id: b for b in banks}
            pending: dict[str, list[tuple[str, int]]] = {name: [] for name in self._indexes}
            for content in self._all_content():
                usable = {k: v for k, v in content.signals.items() if k in pending}
                self._entries[content.id] = _Entry(
                    content.bank_id, content.disable_until_ts, tuple(usable)
                )
                self._bank_members[content.bank_id].add(content.id)
                for name, value in usable.items():
                    pending[name].append((value, content.id))
            # one bulk build per signal type: adding millions one by one would re-merge often
            self._indexes = {name: self._index_factory(name, pending[name]) for name in pending}
            self._feed.restart_at(seq, rewind=_REWIND)
            self._recompute_radius()
            self._built_to = self._last_refresh = time.time()
            self._ready = True

    def _all_content(self) -> Iterator[BankContent]:
        after = 0
        while True:
            with self._uow() as uow:
                page = uow.banks.page_content(
                    bank_id=None, after_id=after, limit=_PAGE, include_withdrawn=False
                )
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def refresh(self) -> int:
        """Replay the change feed since the last refresh; returns how many changes applied."""
        applied = 0
        with self._lock:
            while True:
                count, more = self._apply_next_page()
                applied += count
                if not more:
                    break
            if applied:
                self._recompute_radius()
            self._last_refresh = time.time()
        return applied

    def _apply_next_page(self) -> tuple[int, bool]:
        page = self._feed.read()
        self._apply_banks(page.banks)
        found = {c.id for c in page.contents}
        for cid in page.content_ids:
            if cid not in found:
                self._drop(cid)
        for content in page.contents:
            self._apply_content(content)
        self._feed.done(page)
        if page.changes:
            self._built_to = time.time()
        return page.changes, page.more

    def _apply_banks(self, banks: dict[int, Bank | None]) -> None:
        for bank_id, bank in banks.items():
            if bank is None:
                for cid in list(self._bank_members.pop(bank_id, ())):
                    self._drop(cid)
                self._banks.pop(bank_id, None)
            else:
                self._banks[bank_id] = bank

    def _apply_content(self, content: BankContent) -> None:
        self._drop(content.id)
        if content.withdrawn:
            return
        usable = {k: v for k, v in content.signals.items() if k in self._indexes}
        self._entries[content.id] = _Entry(content.bank_id, content.disable_until_ts, tuple(usable))
        self._bank_members[content.bank_id].add(content.id)
        for name, value in usable.items():
            self._indexes[name].add([(value, content.id)])

    def _drop(self, content_id: int) -> None:
        entry = self._entries.pop(content_id, None)
        if entry is None:
            return
        self._bank_members[entry.bank_id].discard(content_id)
        for name in entry.signal_types:
            self._indexes[name].remove([content_id])

    def _recompute_radius(self) -> None:
        radius: dict[str, int] = {}
        for name, st in self._registry.signal_types.items():
            limits = [b.threshold_for(name, st.default_threshold) for b in self._banks.values()]
            radius[name] = min(max([st.default_threshold, *limits]), st.max_threshold)
        self._radius = radius

    # -- queries --------------------------------------------------------------------------------
    def query(
        self,
        signal_type: str,
        value: str,
        *,
        banks: set[str] | None = None,
        enabled_only: bool = True,
        coinflip: float = 0.0,
        now: float | None = None,
    ) -> list[Hit]:
        """Matches for a canonical `value`, after bank thresholds and (optionally) enablement."""
        index = self._indexes[signal_type]
        default = self._registry.signal_type(signal_type).default_threshold
        moment = time.time() if now is None else now
        hits: list[Hit] = []
        radius = self._radius.get(signal_type, default)
        for content_id, distance, video in _search(index, value, radius):
            entry = self._entries.get(content_id)
            bank = None if entry is None else self._banks.get(entry.bank_id)
            if entry is None or bank is None:
                continue
            if banks is not None and bank.name not in banks:
                continue
            if distance > bank.threshold_for(signal_type, default):
                continue
            if enabled_only and not (
                entry.enabled_at(moment) and coinflip_allows(bank.matching_enabled_ratio, coinflip)
            ):
                continue
            hits.append(Hit(content_id, bank.name, distance, video))
        hits.sort(key=lambda h: (h.distance, h.content_id))
        return hits


def _search(
    index: SignalIndex, value: str, radius: int
) -> list[tuple[int, int, VideoMatch | None]]:
    """(content id, distance, video details) of the index's candidates within `radius`."""
    if isinstance(index, VideoSignalIndex):
        return [(c.content_id, c.match.distance, c.match) for c in index.query_video(value, radius)]
    return [(cid, distance, None) for cid, distance in index.query(value, radius)]
