"""Which bits of a 256-bit PDQ hash form each multi-index-hashing chunk, and a query's probe keys.

Multi-index hashing splits every hash into `m` disjoint bit chunks. If two hashes differ in at
most `d` bits, the pigeonhole principle says some chunk differs in at most `d // m` bits, so
probing, in every chunk, each value within `d // m` flips of the query's chunk finds every
neighbour; candidates are then verified on all 256 bits. Chunks need not cover every bit:
leaving a few out keeps the guarantee and only weakens the filter, which lets small indexes use
short chunks (small tables) and large ones long chunks (few candidates per probe).

Hashes are held as four uint64 words whose values read the hash big-endian, so bit 0 of the hash
is the top bit of word 0 and a chunk is a plain shift-and-mask of one or two words.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: largest per-chunk radius considered: 2 gives 11 chunks at R = 31 (~3.1K probes per query)
PER_CHUNK_RADIUS = 2
#: cost of a probe (a random read of two offsets) relative to a candidate (random reads of its
#: row number and 32-byte hash, then verification), as measured by bench_pdq_index.py
PROBE_COST = 0.5
#: a chunk of w bits needs 2**w + 1 uint32 offsets: 64 MiB at 24 bits
MAX_CHUNK_BITS = 24
HASH_BITS = 256

U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class ChunkLayout:
    """Chunk widths plus every probe (chunk, flip mask) ordered by flip count."""

    max_radius: int
    #: the index size the shape was chosen for
    n_items: int
    widths: tuple[int, ...]
    #: offset of each chunk's table inside the concatenated offsets array
    bases: tuple[int, ...]
    probe_chunk: NDArray[np.intp]
    probe_flip: I64
    probe_base: I64
    #: probes_upto[r] = number of leading probes that cover per-chunk radius r
    probes_upto: tuple[int, ...]
    _word: NDArray[np.intp]
    _word2: NDArray[np.intp]
    _lshift: U64
    _rshift: U64
    _rshift2: U64

    @classmethod
    def plan(
        cls,
        *,
        n_items: int,
        max_radius: int,
        chunk_bits: int | None = None,
        n_chunks: int | None = None,
    ) -> ChunkLayout:
        """The cheapest chunk shape for `n_items` hashes, unless chunk count or width is given."""
        if not 0 <= max_radius < HASH_BITS // 2:
            raise ValueError(f"max_radius must be in [0, {HASH_BITS // 2}), got {max_radius}")
        if n_chunks is None and chunk_bits is None:
            n_chunks, chunk_bits = _cheapest_shape(n_items, max_radius)
        m = n_chunks or math.ceil((max_radius + 1) / (PER_CHUNK_RADIUS + 1))
        bits = chunk_bits or _width_cap(n_items)
        if not 1 <= m <= HASH_BITS or not 1 <= bits <= MAX_CHUNK_BITS:
            raise ValueError(f"need 1-{HASH_BITS} chunks of 1-{MAX_CHUNK_BITS} bits: {m}, {bits}")
        widths = _split(m, bits)
        if min(widths) < 1:
            raise ValueError(f"{m} chunks do not fit {HASH_BITS} bits")
        return cls.from_widths(widths, max_radius=max_radius, n_items=n_items)

    @classmethod
    def from_widths(
        cls, widths: tuple[int, ...], *, max_radius: int, n_items: int = 0
    ) -> ChunkLayout:
        starts = [sum(widths[:c]) for c in range(len(widths))]
        bases = tuple(sum((1 << w) + 1 for w in widths[:c]) for c in range(len(widths)))
        chunk, flip, upto = _probes(widths, max_radius // len(widths))
        word = np.array([s // 64 for s in starts], dtype=np.intp)
        offs = np.array([s % 64 for s in starts], dtype=np.uint64)
        w = np.array(widths, dtype=np.uint64)
        return cls(
            max_radius=max_radius,
            n_items=n_items,
            widths=widths,
            bases=bases,
            probe_chunk=chunk,
            probe_flip=flip,
            probe_base=np.array(bases, dtype=np.int64)[chunk],
            probes_upto=upto,
            _word=word,
            _word2=np.minimum(word + 1, 3),
            _lshift=offs,
            _rshift=64 - w,
            _rshift2=128 - offs - w,
        )

    @property
    def n_chunks(self) -> int:
        return len(self.widths)

    @property
    def n_offsets(self) -> int:
        return self.bases[-1] + (1 << self.widths[-1]) + 1

    def chunk_column(self, words: U64, chunk: int) -> U64:
        """Values of one chunk for every row of `words` (n, 4)."""
        hi: U64 = words[:, self._word[chunk]] << self._lshift[chunk]
        hi >>= self._rshift[chunk]
        hi |= words[:, self._word2[chunk]] >> self._rshift2[chunk]
        return hi

    def probe_keys(self, words: U64, max_distance: int) -> I64:
        """Offsets-array positions to probe, (q, P) for query words (q, 4) at `max_distance`."""
        vals = (np.take(words, self._word, axis=1) << self._lshift) >> self._rshift
        vals |= np.take(words, self._word2, axis=1) >> self._rshift2
        n = self.probes_upto[max_distance // self.n_chunks]
        keys = np.take(vals.view(np.int64), self.probe_chunk[:n], axis=1)
        keys ^= self.probe_flip[:n]
        keys += self.probe_base[:n]
        return keys


def _width_cap(n_items: int) -> int:
    """Widest chunk worth its table: about two offsets per indexed hash."""
    return min(MAX_CHUNK_BITS, max(4, math.ceil(math.log2(max(n_items, 2)))) + 1)


def _split(m: int, bits: int) -> tuple[int, ...]:
    total = min(HASH_BITS, m * bits)
    return tuple(total // m + (1 if c < total % m else 0) for c in range(m))


def _cheapest_shape(n_items: int, max_radius: int) -> tuple[int, int]:
    """(chunks, bits) minimising PROBE_COST * probes + expected candidates, for random hashes.

    Few chunks probed at radius 2 suit large indexes (~3K probes, few candidates each); 16
    chunks at radius 1 suit small ones (272 probes, but n / 65536 candidates each).
    """
    best: tuple[float, int, int] | None = None
    for r in range(PER_CHUNK_RADIUS + 1):
        m = math.ceil((max_radius + 1) / (r + 1))
        for bits in range(1, _width_cap(n_items) + 1):
            widths = _split(m, bits)
            if m > HASH_BITS or min(widths) < 1:
                continue
            flips = max_radius // m
            probes = [sum(math.comb(w, j) for j in range(flips + 1)) for w in widths]
            cost = sum(
                p * (PROBE_COST + n_items / 2**w) for p, w in zip(probes, widths, strict=True)
            )
            if best is None or cost < best[0]:
                best = (cost, m, bits)
    assert best is not None
    return best[1], best[2]


def _probes(widths: tuple[int, ...], radius: int) -> tuple[NDArray[np.intp], I64, tuple[int, ...]]:
    chunks: list[int] = []
    flips: list[int] = []
    upto: list[int] = []
    for level in range(radius + 1):
        for c, w in enumerate(widths):
            for bits in itertools.combinations(range(w), level):
                chunks.append(c)
                flips.append(sum(1 << b for b in bits))
        upto.append(len(chunks))
    return np.array(chunks, dtype=np.intp), np.array(flips, dtype=np.int64), tuple(upto)
