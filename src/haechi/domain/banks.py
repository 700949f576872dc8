"""Banks and banked content: the rules that decide whether an entry may match.

A bank is a named collection of hashes of content confirmed as abusive (for example, the national
bank of a regulator). Each banked item carries one or more signals. An item matches only while its
bank is enabled, the item itself is not disabled, and it has not been withdrawn. Withdrawal is
permanent (a victim withdrew her report, or a source retracted the hash); disabling is temporary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from haechi.domain.errors import InvalidInput

#: HMA's magic values for `disable_until_ts`
ENABLED_TS = 1
DISABLED_TS = 0

_BANK_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
MAX_BANK_NAME = 128
MAX_NOTE = 255


def validate_bank_name(name: object) -> str:
    """Bank names are UPPER_WITH_UNDERSCORE, as in HMA, so clients can use them as keys."""
    if not isinstance(name, str) or not _BANK_NAME.fullmatch(name) or len(name) > MAX_BANK_NAME:
        raise InvalidInput("Bank names must be UPPER_WITH_UNDERSCORE")
    return name


def validate_ratio(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("enabled_ratio must be a number between 0.0 and 1.0")
    ratio = float(value)
    if not 0.0 <= ratio <= 1.0:
        raise InvalidInput("enabled_ratio must be between 0.0 and 1.0")
    return ratio


def validate_note(note: object) -> str | None:
    if note is None or note == "":
        return None
    if not isinstance(note, str):
        raise InvalidInput("note should be a string")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"note must be at most {MAX_NOTE} characters")
    return note


@dataclass(slots=True)
class Bank:
    id: int
    name: str
    matching_enabled_ratio: float = 1.0
    #: per-signal-type distance thresholds overriding the signal type's default
    thresholds: dict[str, int] = field(default_factory=dict)
    description: str | None = None

    @property
    def enabled(self) -> bool:
        return self.matching_enabled_ratio > 0.0

    def threshold_for(self, signal_type: str, default: int) -> int:
        return self.thresholds.get(signal_type, default)


@dataclass(slots=True)
class BankContent:
    id: int
    bank_id: int
    bank_name: str
    disable_until_ts: int = ENABLED_TS
    withdrawn: bool = False
    original_media_uri: str | None = None
    note: str | None = None
    metadata: dict[str, Any] | None = None
    signals: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0

    def enabled_at(self, now: float) -> bool:
        return not self.withdrawn and disable_ts_allows(self.disable_until_ts, now)


def disable_ts_allows(disable_until_ts: int, now: float) -> bool:
    """HMA's rule: 0 = disabled, 1 = enabled, any other value = disabled until that time."""
    if disable_until_ts == DISABLED_TS:
        return False
    if disable_until_ts == ENABLED_TS:
        return True
    return disable_until_ts <= now


def coinflip_allows(ratio: float, coinflip: float) -> bool:
    """HMA's partial enablement: a bank at ratio r matches when r >= the request's coinflip.

    Unlike HMA, a disabled bank (ratio 0) never matches, even when the caller bypasses the coinflip.
    """
    return ratio > 0.0 and ratio >= coinflip
