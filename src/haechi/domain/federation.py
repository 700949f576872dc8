"""Federation rules: what a haechi instance publishes to another, how subscribers trust it, what
feedback means, and when a burst of new hashes is held back (flood control).

A publisher grants a subscriber organisation one bank, optionally scoped to regions. Its feed is a
log of `add` and `retract` operations with a monotonic checkpoint; subscribers resume from the
last checkpoint they stored. A subscriber decides per source how far it trusts it: `auto` (the
hash matches at once), `review` (held disabled until someone approves it) or `notify` (recorded
and announced, never matched). Feedback flows back per hash so a source learns which misfire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from haechi.domain.errors import InvalidInput

CHECKPOINT_PREFIX = "hx1."
MAX_REGIONS = 50
_REGION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
_SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


class TrustMode(StrEnum):
    AUTO = "auto"
    REVIEW = "review"
    NOTIFY = "notify"


class FeedOp(StrEnum):
    ADD = "add"
    RETRACT = "retract"


class SourceKind(StrEnum):
    HAECHI = "haechi"
    STOPNCII = "stopncii"
    NCMEC = "ncmec"
    THREATEXCHANGE = "threatexchange"


class ImportState(StrEnum):
    ACTIVE = "active"  # matching in the target bank
    PENDING = "pending"  # held disabled: review-mode source, or quarantined by flood control
    REJECTED = "rejected"  # a reviewer refused it: withdrawn locally
    NOTIFIED = "notified"  # notify-mode source: recorded, never matched
    RETRACTED = "retracted"  # the source withdrew it


class Verdict(StrEnum):
    """Feedback on a shared hash, after StopNCII's CSPFeedbacks."""

    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    BLOCKED = "blocked"
    NOT_BLOCKED = "not_blocked"


#: verdicts that say the hash misfired (matched content that was not what the source said)
MISFIRES = frozenset({Verdict.FALSE_POSITIVE})


def encode_checkpoint(seq: int) -> str:
    """Opaque to subscribers; monotonic for the publisher (a log sequence number)."""
    return f"{CHECKPOINT_PREFIX}{seq}"


def decode_checkpoint(value: str | None) -> int:
    if value is None or value in ("", "0"):
        return 0
    if not value.startswith(CHECKPOINT_PREFIX) or not value[len(CHECKPOINT_PREFIX) :].isdigit():
        raise InvalidInput("since must be a checkpoint returned by this feed")
    return int(value[len(CHECKPOINT_PREFIX) :])


def validate_regions(values: object) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, optionally with a subdivision (KR, KR-11); empty = everywhere."""
    if values is None:
        return ()
    if not isinstance(values, list | tuple) or len(values) > MAX_REGIONS:
        raise InvalidInput(f"regions must be a list of at most {MAX_REGIONS} region codes")
    clean: list[str] = []
    for value in values:
        if not isinstance(value, str) or not _REGION.fullmatch(value.upper()):
            raise InvalidInput(f"not a region code (ISO 3166, e.g. KR or KR-11): {value!r}")
        clean.append(value.upper())
    return tuple(sorted(set(clean)))


def region_visible(item_regions: tuple[str, ...], grant_regions: tuple[str, ...]) -> bool:
    """An item without regions is global; a grant without regions sees everything. Otherwise
    they must share a country (KR-11 is inside KR, and KR covers KR-11)."""
    if not item_regions or not grant_regions:
        return True
    item_countries = {r.split("-")[0] for r in item_regions}
    for region in grant_regions:
        if region in item_regions or ("-" not in region and region in item_countries):
            return True
        if "-" in region and region.split("-")[0] in item_regions:
            return True
    return False


def validate_source_name(name: object) -> str:
    if not isinstance(name, str) or not _SOURCE_NAME.fullmatch(name):
        raise InvalidInput("source names are lower-case letters, digits, '.', '_' or '-' (≤ 64)")
    return name


def validate_interval(seconds: object) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidInput("poll_interval_s must be a number")
    if not 1 <= float(seconds) <= 7 * 24 * 3600:
        raise InvalidInput("poll_interval_s must be between 1 second and 7 days")
    return float(seconds)


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    """At most `per_hour` new hashes from one source enter matching within any hour; the rest are
    quarantined (added, held disabled) for a person to approve or reject."""

    per_hour: int

    def __post_init__(self) -> None:
        if self.per_hour < 0:
            raise InvalidInput("flood limit must be zero or more per hour")

    def admits(self, recent: int) -> bool:
        """Whether one more hash may go live when `recent` went live in the past hour."""
        return recent < self.per_hour


def initial_state(mode: TrustMode, *, flood_ok: bool) -> ImportState:
    """Where a newly received hash starts, by trust mode and flood control."""
    if mode is TrustMode.NOTIFY:
        return ImportState.NOTIFIED
    if mode is TrustMode.REVIEW or not flood_ok:
        return ImportState.PENDING
    return ImportState.ACTIVE


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    confirmed: int = 0
    false_positive: int = 0
    blocked: int = 0
    not_blocked: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.false_positive + self.blocked + self.not_blocked

    @property
    def misfire_rate(self) -> float | None:
        """Share of feedback saying the hash matched the wrong thing (None without feedback)."""
        return None if self.total == 0 else self.false_positive / self.total
