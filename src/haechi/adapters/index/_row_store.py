"""Row storage of the PDQ index: hashes, content ids, tombstones and the id -> row lookup.

Rows are append-only. A new or re-added hash gets a new row and removal sets a tombstone, so the
row numbers held by the MIH tables never move while updates stream in. Memory is what a 10M-hash
index can afford: 32 bytes of hash, 8 of id and 1 of tombstone per row, no Python object per
row. The id -> row lookup uses the fact that a bulk build stores rows sorted by id (a binary search
on `ids` itself, no extra array), plus a small sorted array for rows merged into the tables since,
plus a dict for the delta rows not merged yet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from haechi.adapters.index._mih_layout import U64

I64 = NDArray[np.int64]
INTP = NDArray[np.intp]
#: per-row popcounts of the four words packed as bytes; all four are 64 only at distance 256
_ALL_BITS = np.uint32(0x40404040)
#: rows copied per step when building, to avoid a second full copy of the hashes
_COPY_BLOCK = 1 << 20


def last_unique(ids: I64) -> INTP:
    """Positions of `ids` sorted by id, keeping the last occurrence of a repeated id."""
    order = np.argsort(ids, kind="stable")
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = ids[order[1:]] != ids[order[:-1]]
    return order[keep]


class RowStore:
    """Hashes as big-endian-valued uint64 words, content ids and tombstones, by row number."""

    def __init__(self, *, capacity: int) -> None:
        self.words: U64 = np.zeros((capacity, 4), dtype=np.uint64)
        self.ids: I64 = np.zeros(capacity, dtype=np.int64)
        self.dead = np.zeros(capacity, dtype=bool)
        self.n_rows = 0
        self.n_sorted = 0  # rows [0, n_sorted) are sorted by id (they came from a bulk build)
        self.n_indexed = 0  # rows [0, n_indexed) are in the MIH tables; the rest is the delta
        self.live = 0
        self.dead_indexed = 0
        self._tail_ids: I64 = np.empty(0, dtype=np.int64)
        self._tail_rows: INTP = np.empty(0, dtype=np.intp)
        self._delta: dict[int, int] = {}

    @classmethod
    def from_words(cls, words: NDArray[Any], ids: I64, *, spare: int) -> RowStore:
        """All rows of a bulk build, stored sorted by id; a repeated id keeps its last hash.

        `words` (n, 4) may be a big-endian view of the hash bytes; rows are converted as copied.
        """
        order = last_unique(ids)
        n = len(order)
        store = cls(capacity=n + spare)
        for start in range(0, n, _COPY_BLOCK):
            block = order[start : start + _COPY_BLOCK]
            store.words[start : start + len(block)] = np.take(words, block, axis=0)
        store.ids[:n] = ids[order]
        store.n_rows = store.n_sorted = store.n_indexed = store.live = n
        return store

    @property
    def nbytes(self) -> int:
        return int(self.words.nbytes + self.ids.nbytes + self.dead.nbytes)

    @property
    def n_delta(self) -> int:
        return self.n_rows - self.n_indexed

    def find(self, ids: I64) -> INTP:
        """The live row of each id, or -1."""
        found = np.full(len(ids), -1, dtype=np.intp)
        for sorted_ids, rows in (
            (self.ids[: self.n_sorted], None),
            (self._tail_ids, self._tail_rows),
        ):
            at = np.minimum(np.searchsorted(sorted_ids, ids), max(len(sorted_ids) - 1, 0))
            hit = np.flatnonzero(sorted_ids[at] == ids) if len(sorted_ids) else at[:0]
            cand = at[hit] if rows is None else rows[at[hit]]
            alive = ~self.dead[cand]
            found[hit[alive]] = cand[alive]
        if self._delta:
            for i, content_id in enumerate(ids.tolist()):
                found[i] = self._delta.get(content_id, found[i])
        return found

    def append(self, words: U64, ids: I64) -> None:
        """Add rows for ids that have no live row (the caller kills replaced ones first)."""
        k, start = len(ids), self.n_rows
        if start + k > len(self.ids):
            self._grow(start + k)
        self.words[start : start + k] = words
        self.ids[start : start + k] = ids
        self._delta.update(zip(ids.tolist(), range(start, start + k), strict=True))
        self.n_rows += k
        self.live += k

    def kill(self, rows: INTP) -> None:
        """Tombstone live rows."""
        self.dead[rows] = True
        self.live -= len(rows)
        self.dead_indexed += int(np.count_nonzero(rows < self.n_indexed))
        if self._delta:
            for content_id in self.ids[rows[rows >= self.n_indexed]].tolist():
                del self._delta[content_id]

    def pending(self) -> NDArray[np.int32]:
        """Live delta rows, for merging into the tables."""
        rows = np.arange(self.n_indexed, self.n_rows, dtype=np.int32)
        return rows[~self.dead[rows]]

    def mark_indexed(self, rows: NDArray[np.int32], *, upto: int) -> None:
        """Record that `rows`, the live delta rows below `upto` when merging began, are merged."""
        merged = rows[~self.dead[rows]].astype(np.intp)
        self.dead_indexed += len(rows) - len(merged)
        keep = ~self.dead[self._tail_rows]
        tail_rows = np.concatenate([self._tail_rows[keep], merged])
        tail_ids = self.ids[tail_rows]
        order = np.argsort(tail_ids, kind="stable")
        self._tail_ids, self._tail_rows = tail_ids[order], tail_rows[order]
        for content_id in self.ids[merged].tolist():
            self._delta.pop(content_id, None)
        self.n_indexed = max(self.n_indexed, upto)

    def live_rows(self) -> INTP:
        return np.flatnonzero(~self.dead[: self.n_rows])

    def within(
        self, rows: NDArray[np.int32], against: U64, max_distance: int
    ) -> tuple[INTP, NDArray[np.uint32]]:
        """Positions and distances of the live `rows` within `max_distance` of their query.

        `against[i]` holds the words (4) of the query that candidate row `i` belongs to.
        """
        diff = np.take(self.words, rows, axis=0)
        np.bitwise_xor(diff, against, out=diff)
        packed = np.bitwise_count(diff).view(np.uint32).reshape(-1)
        # the byte sum of the four popcounts; it wraps to 0 only at distance 256, dropped below
        dist = (packed * np.uint32(0x01010101)) >> np.uint32(24)
        near = np.flatnonzero(dist <= max_distance)
        near = near[(packed[near] != _ALL_BITS) & ~self.dead[rows[near]]]
        return near, dist[near]

    def _grow(self, need: int) -> None:
        capacity = max(need, len(self.ids) + len(self.ids) // 4 + 1024)
        words = np.zeros((capacity, 4), dtype=np.uint64)
        ids = np.zeros(capacity, dtype=np.int64)
        dead = np.zeros(capacity, dtype=bool)
        words[: self.n_rows] = self.words[: self.n_rows]
        ids[: self.n_rows] = self.ids[: self.n_rows]
        dead[: self.n_rows] = self.dead[: self.n_rows]
        self.words, self.ids, self.dead = words, ids, dead
