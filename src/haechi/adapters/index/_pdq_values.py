"""Checks and conversions of what callers hand the PDQ index: hex hashes and content ids.

Hashes arrive as 64 hex digits from HTTP, the database and exchanges; anything else must fail
loudly with `InvalidSignal` (a 400) before it reaches the arrays, never index garbage.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from haechi.adapters.index._mih_layout import U64
from haechi.domain.errors import InvalidSignal

_HEX = re.compile(r"[0-9a-fA-F]{64}")


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
