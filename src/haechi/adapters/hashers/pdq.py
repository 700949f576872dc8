"""The PDQ signal type: Meta's perceptual photo hash, computed with the `pdqhash` package.

Hashing is the hot path of every upload, so there are two modes:

* **reference** (`fast=False`): decode the full image, convert to RGB and hand it to
  `pdqhash.compute`, exactly as python-threatexchange does (plus EXIF orientation). Identical
  decoded pixels give identical hashes.
* **fast** (default): PDQ only ever looks at a 64x64 downsample, built by two passes of a box
  ("Jarosz") filter over the full-size luma followed by point sampling. That downsample is linear in
  the pixels, so we compute it as `R · Y · Cᵀ`, with `R`/`C` the reference filter's exact weights
  summed over blocks, from luma decoded at 1/2-1/8 scale (libjpeg's DCT scaling) where each sample
  is a block mean. The 64x64 result goes to `pdqhash` (which leaves a 64x64 input unfiltered), its
  sub-integer luma carried by dithering R, G and B separately. On 2048x1536 JPEGs this is ~10x
  faster than the reference and within a few bits of it (benchmarks/bench_pdq_hash.py).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pdqhash

from haechi.adapters.hashers.decode import (
    DEFAULT_LIMITS,
    BlockAxis,
    DecodeLimits,
    LumaBlocks,
    decode_image,
    decode_luma_blocks,
)
from haechi.domain.errors import InvalidSignal
from haechi.domain.signals import DIHEDRAL_ORDER, HashOutput, SignalType, hamming_hex

#: the fast path decodes at the coarsest scale keeping the shorter side at least this long
FAST_MIN_SIDE = 384
#: order of `PdqSignal.hash_dihedral`'s results, as pdqhash computes them

_HASH_RE = re.compile(r"[0-9a-f]{64}")
_SIDE = 64  # PDQ's downsample is 64x64
_MIN_HASHABLE_SIDE = 5  # below this pdqhash returns an all-zero hash of quality 0


class PdqSignal(SignalType):
    """PDQ: 256-bit perceptual hash of a photo, compared by Hamming distance."""

    name: ClassVar[str] = "pdq"
    default_threshold: ClassVar[int] = 31
    max_threshold: ClassVar[int] = 31
    min_quality: ClassVar[int | None] = 50
    #: limits used when a call gives none; `with_limits` makes a configured variant
    decode_limits: ClassVar[DecodeLimits] = DEFAULT_LIMITS

    @classmethod
    def with_limits(cls, limits: DecodeLimits) -> type[PdqSignal]:
        """The same plugin (same name) with the deployment's decode limits as its default."""
        return type(cls.__name__, (cls,), {"decode_limits": limits})

    @classmethod
    def validate(cls, value: str) -> str:
        if not isinstance(value, str):
            raise InvalidSignal("pdq hash must be a string")
        canonical = value.strip().lower()
        if not _HASH_RE.fullmatch(canonical):
            raise InvalidSignal("pdq hash must be 64 hexadecimal characters")
        return canonical

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return hamming_hex(cls.validate(a), cls.validate(b))

    @classmethod
    def hash_bytes(
        cls, data: bytes, *, fast: bool = True, limits: DecodeLimits | None = None
    ) -> HashOutput:
        """PDQ hash and quality of an encoded image; quality is reported, never acted on here."""
        chosen = limits or cls.decode_limits
        vector, quality = pdqhash.compute(_pdq_input(data, fast=fast, limits=chosen))
        return HashOutput(value=_to_hex(vector), quality=int(quality))

    @classmethod
    def hash_dihedral(
        cls, data: bytes, *, fast: bool = True, limits: DecodeLimits | None = None
    ) -> list[HashOutput]:
        """The hashes of the 8 rotations and flips (order: `DIHEDRAL_ORDER`), in one pass."""
        chosen = limits or cls.decode_limits
        vectors, quality = pdqhash.compute_dihedral(_pdq_input(data, fast=fast, limits=chosen))
        return [HashOutput(value=_to_hex(v), quality=int(quality)) for v in vectors]


def _pdq_input(data: bytes, *, fast: bool, limits: DecodeLimits) -> npt.NDArray[np.uint8]:
    """The RGB array to give pdqhash: the full image, or (fast) its 64x64 downsample."""
    if not fast:
        return np.asarray(decode_image(data, limits=limits, mode="RGB"))
    blocks = decode_luma_blocks(data, limits=limits, min_side=FAST_MIN_SIDE)
    if min(blocks.rows.length, blocks.cols.length) < _MIN_HASHABLE_SIDE:
        # pdqhash's own answer for tiny images (zero hash, quality 0), whatever the pixels
        return np.zeros((1, 1, 3), dtype=np.uint8)
    return _luma_as_rgb(_downsample(blocks))


def _downsample(blocks: LumaBlocks) -> npt.NDArray[np.float32]:
    rows = _axis_weights(blocks.rows)
    cols = _axis_weights(blocks.cols)
    return np.asarray((rows @ blocks.pixels) @ cols.T, dtype=np.float32)


@lru_cache(maxsize=256)
def _axis_weights(axis: BlockAxis) -> npt.NDArray[np.float32]:
    """64 x blocks: weight of each block (its pixels' summed weights) in each PDQ sample."""
    full = _jarosz_weights(axis.length)
    cumulative = np.zeros((_SIDE, axis.length + 1))
    np.cumsum(full, axis=1, out=cumulative[:, 1:])
    edges = axis.edges()
    weights = (cumulative[:, edges[1:]] - cumulative[:, edges[:-1]]).astype(np.float32)
    weights.flags.writeable = False  # shared through the cache
    return weights


def _jarosz_weights(length: int) -> npt.NDArray[np.float64]:
    """64 x length: row i holds the weight of each pixel in PDQ's i-th sample along an axis.

    PDQ box-filters twice with a window of about length/128, then takes pixel
    int((i + 0.5) · length / 64). Pulling that pixel's unit weight back through both box passes
    (the box filter's adjoint) gives the weights.
    """
    window = (length + 2 * _SIDE - 1) // (2 * _SIDE)
    centres = ((np.arange(_SIDE) + 0.5) * length / _SIDE).astype(np.int64)
    weights = np.zeros((_SIDE, length))
    weights[np.arange(_SIDE), centres] = 1.0
    for _ in range(2):
        weights = _box_adjoint(weights, window)
    return weights


def _box_adjoint(weights: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """Apply the transpose of PDQ's 1-D box filter to each row of `weights`.

    PDQ's output o is the mean of inputs [o - left, o + right] clipped to the row, where
    half = (window + 2) // 2, left = window - half and right = half - 1. So input k receives
    weight / count from every output o in [k - right, k + left]: a sliding-window sum.
    """
    length = weights.shape[1]
    half = (window + 2) // 2
    left, right = window - half, half - 1
    positions = np.arange(length)
    count = np.minimum(positions + right, length - 1) - np.maximum(positions - left, 0) + 1
    running = np.zeros((weights.shape[0], length + 1))
    np.cumsum(weights / count, axis=1, out=running[:, 1:])
    last = np.minimum(positions + left, length - 1) + 1
    first = np.maximum(positions - right, 0)
    return running[:, last] - running[:, first]


def _dither_table() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    offsets = np.array(list(itertools.product(range(-4, 5), repeat=3)), dtype=np.int64)
    values = offsets @ np.array([0.299, 0.587, 0.114])
    order = np.argsort(values, kind="stable")
    return values[order], offsets[order]


_DITHER_VALUES, _DITHER_OFFSETS = _dither_table()


def _luma_as_rgb(luma: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """RGB whose PDQ luma (0.299 R + 0.587 G + 0.114 B) matches `luma` to within ~0.006.

    pdqhash accepts only 8-bit RGB; rounding the 64x64 luma to integers would flip the hash bits
    nearest the median. Offsetting R, G and B by different small amounts keeps the fraction.
    """
    base = np.clip(np.rint(luma), 4, 251).astype(np.int64)
    fraction = (luma - base).ravel()
    right = np.clip(np.searchsorted(_DITHER_VALUES, fraction), 1, len(_DITHER_VALUES) - 1)
    left_closer = np.abs(_DITHER_VALUES[right - 1] - fraction) <= np.abs(
        _DITHER_VALUES[right] - fraction
    )
    nearest = np.where(left_closer, right - 1, right)
    rgb = base[..., np.newaxis] + _DITHER_OFFSETS[nearest].reshape(*luma.shape, 3)
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _to_hex(bits: npt.NDArray[np.integer]) -> str:
    """pdqhash's 256 bits (most significant first) as 64 lowercase hex digits."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


__all__ = ["DIHEDRAL_ORDER", "FAST_MIN_SIDE", "PdqSignal"]
