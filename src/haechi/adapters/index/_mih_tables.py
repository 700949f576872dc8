"""Direct-addressed multi-index-hashing tables: one CSR table per chunk, all in two flat arrays.

For chunk `c` of `w` bits, `offsets[base_c + v] .. offsets[base_c + v + 1]` is the slice of `rows`
holding the row numbers whose chunk value is `v`, so a probe is two loads, whatever the size of
the index. All chunks share one offsets array and one rows array so a query probes every chunk
with a single vectorised gather instead of a Python loop per chunk.

`rows` keeps a capacity per chunk region, so new rows are merged in place, chunk by chunk (the
caller holds the write lock per chunk and queries run in between), without doubling memory.
Offsets are absolute positions in `rows` and fit uint32 (rows are int32), which bounds an index at
about 2**32 / chunks entries (390M at 11 chunks).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from haechi.adapters.index._mih_layout import U64, ChunkLayout

I32 = NDArray[np.int32]
_LOW32 = np.uint64(0xFFFFFFFF)


class MihTables:
    """The chunk tables over some rows of a `RowStore`; rows are verified by the caller."""

    def __init__(self, layout: ChunkLayout, *, capacity: int) -> None:
        if layout.n_chunks * capacity >= 1 << 32:
            raise ValueError(f"index too large for uint32 offsets: {capacity} rows")
        self.layout = layout
        self.capacity = capacity
        self.offsets = np.empty(layout.n_offsets, dtype=np.uint32)
        self.rows = np.empty(layout.n_chunks * capacity, dtype=np.int32)
        self.entries = [0] * layout.n_chunks
        for c in range(layout.n_chunks):
            self._chunk_offsets(c)[:] = c * capacity

    @classmethod
    def build(cls, layout: ChunkLayout, words: U64, *, capacity: int) -> MihTables:
        """Tables over rows 0..len(words)-1, sorted per chunk (vectorised, no loop per row)."""
        n = len(words)
        tables = cls(layout, capacity=max(capacity, n))
        row_ids = np.arange(n, dtype=np.uint64)
        for c in range(layout.n_chunks):
            packed = layout.chunk_column(words, c)
            packed <<= np.uint64(32)
            packed |= row_ids
            packed.sort()  # by chunk value, then row: one uint64 sort beats an argsort
            lo = c * tables.capacity
            tables.rows[lo : lo + n] = packed & _LOW32
            packed >>= np.uint64(32)
            counts = np.bincount(packed.view(np.int64), minlength=1 << layout.widths[c])
            del packed
            offsets = tables._chunk_offsets(c)
            np.cumsum(counts, out=counts)
            offsets[0] = 0
            offsets[1:] = counts
            offsets += np.uint32(lo)
            tables.entries[c] = n
        return tables

    @property
    def nbytes(self) -> int:
        return int(self.offsets.nbytes + self.rows.nbytes)

    def candidates(self, keys: NDArray[np.int64]) -> tuple[I32, NDArray[np.intp]]:
        """Rows stored under every probe key, concatenated, and how many came from each key."""
        starts = self.offsets[keys]  # 1-d fancy indexing: faster than np.take here
        counts = (self.offsets[keys + 1] - starts).astype(np.intp)
        ends = np.cumsum(counts)
        total = int(ends[-1]) if len(ends) else 0
        # positions = starts[i] + (0 .. counts[i]-1) for every key i, without a Python loop
        shift = starts - ends
        shift += counts
        positions = np.repeat(shift, counts)
        positions += np.arange(total)
        return self.rows[positions], counts

    def reserve(self, entries: int) -> None:
        """Grow every chunk region to hold `entries` rows (reallocates; hold the write lock)."""
        if entries <= self.capacity:
            return
        new = max(entries, self.capacity + self.capacity // 4 + 1024)
        if self.layout.n_chunks * new >= 1 << 32:
            raise ValueError(f"index too large for uint32 offsets: {new} rows")
        rows = np.empty(self.layout.n_chunks * new, dtype=np.int32)
        for c in range(self.layout.n_chunks):
            old, e = c * self.capacity, self.entries[c]
            rows[c * new : c * new + e] = self.rows[old : old + e]
            offsets = self._chunk_offsets(c)
            offsets += np.uint32(c * (new - self.capacity))
        self.rows, self.capacity = rows, new

    def insert(self, chunk: int, rows: I32, words: U64) -> None:
        """Merge `rows` (whose hashes are `words`, (k, 4)) into one chunk's table in place."""
        if not len(rows):
            return
        keys = self.layout.chunk_column(words, chunk).view(np.int64)
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        offsets = self._chunk_offsets(chunk)
        lo, e = chunk * self.capacity, self.entries[chunk]
        if e + len(rows) > self.capacity:
            raise ValueError("reserve() before insert()")
        at = np.take(offsets, keys + 1).astype(np.intp) - lo
        self.rows[lo : lo + e + len(rows)] = np.insert(self.rows[lo : lo + e], at, rows)
        shift = np.zeros(len(offsets), dtype=np.uint32)
        np.add.at(shift, keys + 1, 1)
        np.cumsum(shift, out=shift)
        offsets += shift
        self.entries[chunk] = e + len(rows)

    def _chunk_offsets(self, chunk: int) -> NDArray[np.uint32]:
        base = self.layout.bases[chunk]
        return self.offsets[base : base + (1 << self.layout.widths[chunk]) + 1]
