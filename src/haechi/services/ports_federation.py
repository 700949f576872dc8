"""Port for federation (issue 9): what the publisher and subscriber services keep in the database,
and the transports they talk through (another haechi's feed; threatexchange's APIs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from haechi.domain.federation import (
    FeedbackCounts,
    FeedOp,
    ImportState,
    SourceKind,
    TrustMode,
    Verdict,
)


@dataclass(frozen=True, slots=True)
class Grant:
    """A subscriber organisation may read one bank's feed (within regions, when given)."""

    id: int
    org_id: int
    bank_id: int
    regions: tuple[str, ...]
    created_at: float


@dataclass(frozen=True, slots=True)
class Published:
    """The publisher's memory of what it last told subscribers about one content item."""

    content_id: int
    bank_id: int
    active: bool
    signals: dict[str, str]
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    seq: int
    op: FeedOp
    content_id: int
    bank_id: int
    signals: dict[str, str]
    regions: tuple[str, ...]
    at: float


@dataclass(slots=True)
class Source:
    """A feed this instance subscribes to (another haechi, StopNCII, NCMEC, ThreatExchange)."""

    id: int
    org_id: int
    name: str
    kind: SourceKind
    url: str
    trust_mode: TrustMode
    bank_id: int
    poll_interval_s: float
    created_at: float
    token_env: str | None = None
    token_sealed: str | None = None
    flood_per_hour: int | None = None
    public_key_pem: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    checkpoint: str | None = None
    enabled: bool = True
    next_poll_at: float = 0.0
    last_polled_at: float | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """Provenance of one received hash: which source, its id there, and what became of it."""

    id: int
    source_id: int
    remote_id: str
    content_id: int | None
    state: ImportState
    signals: dict[str, str]
    quarantined: bool
    received_at: float
    decided_at: float | None = None
    decided_by: str | None = None


@dataclass(frozen=True, slots=True)
class FeedbackStat:
    content_id: int
    bank_id: int
    signals: dict[str, str]
    counts: FeedbackCounts


@dataclass(frozen=True, slots=True)
class OutgoingFeedback:
    id: int
    source_id: int
    remote_id: str
    verdict: Verdict
    at: float


class FederationStore(Protocol):
    """Never commits: the unit of work does."""

    # -- publisher ------------------------------------------------------------------------------
    def add_grant(
        self, *, org_id: int, bank_id: int, regions: tuple[str, ...], at: float
    ) -> Grant: ...
    def delete_grant(self, grant_id: int) -> bool: ...
    def grants(self, *, org_id: int | None = None, bank_id: int | None = None) -> list[Grant]: ...
    def publish_cursor(self) -> tuple[int, dict[int, float]]:
        """Locked: the change-feed position translated into the publication log, and its open
        gaps (numbers below it not yet seen -> when first noticed; see domain/change_feed.py)."""

    def set_publish_cursor(self, seq: int, gaps: Mapping[int, float]) -> None: ...
    def published(self, content_ids: Sequence[int]) -> dict[int, Published]: ...
    def published_active_in_bank(self, bank_id: int) -> list[Published]: ...
    def append_log(self, op: FeedOp, item: Published, *, at: float) -> int: ...
    def log_page(self, *, bank_ids: Sequence[int], after_seq: int, limit: int) -> list[FeedEntry]:
        """Entries of these banks after `after_seq`, oldest first."""

    def log_head(self) -> int: ...
    def set_feedback(self, *, org_id: int, content_id: int, verdict: Verdict, at: float) -> None:
        """One verdict per subscriber and hash: a later one replaces the earlier."""

    def feedback_stats(self, bank_ids: Sequence[int], *, limit: int) -> list[FeedbackStat]: ...

    # -- subscriber -----------------------------------------------------------------------------
    def add_source(self, source: Source) -> Source: ...
    def get_source(self, name: str) -> Source | None: ...
    def get_source_by_id(self, source_id: int) -> Source | None: ...
    def list_sources(self, org_id: int | None = None) -> list[Source]: ...
    def save_source(self, source: Source) -> None: ...
    def delete_source(self, source_id: int) -> None: ...
    def due_sources(self, now: float, limit: int) -> list[Source]: ...
    def claim_source(self, source_id: int, *, now: float, lease_until: float) -> bool:
        """Take a source for one poll (false when another worker holds it)."""

    def release_source(self, source_id: int) -> None: ...
    def find_import(self, source_id: int, remote_id: str) -> ImportRecord | None: ...
    def add_import(self, record: ImportRecord) -> ImportRecord: ...
    def set_import(
        self,
        import_id: int,
        *,
        state: ImportState,
        at: float,
        by: str | None,
        content_id: int | None = None,
    ) -> None: ...
    def get_imports(self, import_ids: Sequence[int]) -> list[ImportRecord]: ...
    def imports(
        self, *, source_id: int | None, state: ImportState | None, limit: int, after_id: int = 0
    ) -> list[ImportRecord]: ...
    def imports_for_content(self, content_id: int) -> list[ImportRecord]: ...
    def count_live_since(self, source_id: int, since: float) -> int:
        """Hashes from this source that went live (not quarantined) since a moment."""

    def add_outgoing(
        self, *, source_id: int, remote_id: str, verdict: Verdict, at: float
    ) -> int: ...
    def pending_outgoing(self, source_id: int, limit: int) -> list[OutgoingFeedback]: ...
    def mark_sent(self, ids: Sequence[int], at: float) -> None: ...

    # -- flood control of direct bank writes ----------------------------------------------------
    def tally(self, source: str, *, since_minute: int) -> int:
        """Hashes this writer put live from `since_minute` on."""

    def bump_tally(self, source: str, *, minute: int, count: int) -> None: ...
    def prune_tally(self, *, before_minute: int) -> None: ...
    def quarantine_writes(self, content_ids: Sequence[int], *, source: str, at: float) -> None: ...
    def held_writes(self, *, limit: int, after_id: int = 0) -> list[HeldWrite]: ...
    def decide_writes(
        self, content_ids: Sequence[int], *, approved: bool, at: float, by: str
    ) -> list[int]:
        """Record the decision on undecided held writes; returns the content ids decided."""


@dataclass(frozen=True, slots=True)
class HeldWrite:
    """A hash a writer added over its flood limit: held disabled until a person decides."""

    content_id: int
    source: str
    at: float


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One normalised update from any source: add (or replace) or retract `remote_id`."""

    remote_id: str
    op: FeedOp
    signals: dict[str, str]
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemotePage:
    items: list[RemoteItem]
    checkpoint: str | None
    more: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a transport needs to reach a source (the token in the clear, held only in memory)."""

    url: str
    token: str | None
    public_key_pem: str | None
    config: dict[str, Any]


class SourceClient(Protocol):
    """One kind of source. `pages` yields pages from `checkpoint` on; the caller stores each
    page's checkpoint after applying it, so a failure part-way resumes where it stopped."""

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]: ...

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        """Raise HaechiError when the source refused them (they are retried at the next poll)."""


class TokenBox(Protocol):
    """Seals source tokens for storage (authenticated encryption under a key from settings)."""

    def seal(self, token: str) -> str: ...
    def open(self, sealed: str) -> str: ...
