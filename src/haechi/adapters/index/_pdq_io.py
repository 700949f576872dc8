"""What crosses the PDQ index's boundary: hex hashes, content ids, and the snapshot file layout.

Hashes arrive as 64 hex digits from HTTP, the database and exchanges; anything else must fail
loudly with `InvalidSignal` (a 400) before it reaches the arrays. Snapshots hold the live
entries as two plain arrays (hashes as bytes, ids) that any numpy can read, and are rebuilt into
tables on load, so a damaged file can be refused but never yields wrong matches.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from haechi.adapters.index._mih_layout import U64
from haechi.adapters.index._snapshot import IndexSnapshotError, read_arrays, write_arrays
from haechi.domain.errors import InvalidSignal

_HEX = re.compile(r"[0-9a-fA-F]{64}")
_FORMAT, _VERSION = "haechi.pdq_mih", 1
_COLUMNS: dict[str, tuple[type[np.generic], tuple[int, ...]]] = {
    "hashes": (np.uint8, (32,)),
    "ids": (np.int64, ()),
}


def as_content_id(value: Any) -> int:
    """`value` as a Python int that fits the int64 id column."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"content id must be an integer, got {type(value).__name__}")
    if not -(1 << 63) <= value < 1 << 63:
        raise ValueError(f"content id {value} does not fit int64")
    return int(value)


def words_from_hex(values: list[str]) -> U64:
    """Hashes as (n, 4) uint64 words whose values read the hash big-endian."""
    for value in values:
        if not isinstance(value, str) or _HEX.fullmatch(value) is None:
            raise InvalidSignal(f"pdq hash must be 64 hexadecimal characters, got {value!r:.80}")
    raw = bytes.fromhex("".join(values))
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def words_from_bytes(query: NDArray[np.uint8]) -> U64:
    """One hash given as 32 uint8 as (1, 4) words."""
    q = np.asarray(query)
    if q.dtype != np.uint8 or q.shape != (32,):
        raise InvalidSignal("pdq hash must be 32 bytes (uint8)")
    return np.frombuffer(q.tobytes(), dtype=">u8").astype(np.uint64).reshape(1, 4)


@dataclass(frozen=True, slots=True)
class Snapshot:
    signal_type: str
    max_radius: int
    hashes: NDArray[np.uint8]
    ids: NDArray[np.int64]


def write_snapshot(
    path: str | os.PathLike[str],
    *,
    signal_type: str,
    max_radius: int,
    words: U64,
    ids: NDArray[Any],
) -> None:
    header = {
        "format": _FORMAT,
        "version": _VERSION,
        "signal_type": signal_type,
        "max_radius": max_radius,
        "count": len(ids),
    }
    hashes = words.astype(">u8").view(np.uint8).reshape(-1, 32)
    write_arrays(path, header=header, hashes=hashes, ids=ids)


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    header, arrays = read_arrays(path, kind=_FORMAT, version=_VERSION, columns=_COLUMNS)
    radius, name = header.get("max_radius"), header.get("signal_type")
    if type(radius) is not int or not isinstance(name, str):
        raise IndexSnapshotError(f"{path}: header lacks max_radius or signal_type")
    return Snapshot(name, radius, arrays["hashes"], arrays["ids"])
