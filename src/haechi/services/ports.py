"""Narrow ports the services need. Adapters implement them; bootstrap wires them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from haechi.domain.audit import AuditEntry, AuditRecord
from haechi.domain.banks import Bank, BankContent
from haechi.domain.notices import ItemOutcome, Notice, NoticeDraft, NoticeItem, Outcome
from haechi.domain.sla import DueTimes
from haechi.domain.tenancy import Organisation, OrgKind, Role
from haechi.domain.webhooks import Delivery, Event, WebhookEndpoint
from haechi.services.ports_cases import CaseStore
from haechi.services.ports_features import FeatureStores
from haechi.services.ports_hotline import HotlineStore
from haechi.services.ports_le import LeRequestStore


class SignalIndex(Protocol):
    """An in-memory similarity index for one signal type, mapping hashes to content ids.

    Implementations are exact: `query` returns every indexed entry within `max_distance`
    (up to the radius the index was built for), never an approximation. Updates are incremental
    and take effect for the next query.
    """

    signal_type: str

    def add(self, entries: Iterable[tuple[str, int]]) -> None:
        """Index (canonical hash, content id) pairs. Re-adding an id replaces its hash."""

    def remove(self, content_ids: Iterable[int]) -> None:
        """Stop returning these content ids."""

    def query(self, value: str, max_distance: int) -> list[tuple[int, int]]:
        """(content id, distance) of every entry within max_distance of `value`."""

    def __len__(self) -> int: ...


class IndexFactory(Protocol):
    def __call__(self, signal_type: str, entries: Sequence[tuple[str, int]] = ()) -> SignalIndex:
        """A new index for `signal_type`, bulk-built from `entries` (canonical hash, id)."""


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""


class UrlFetcher(Protocol):
    """Fetches bytes from a URL with an SSRF guard and size/time limits."""

    def fetch(self, url: str) -> FetchedMedia: ...


class FetchedMedia(Protocol):
    @property
    def data(self) -> bytes: ...

    @property
    def content_type(self) -> str: ...


@dataclass(frozen=True, slots=True)
class NewContent:
    signals: dict[str, str]
    qualities: dict[str, int | None] = field(default_factory=dict)
    note: str | None = None
    metadata: dict[str, Any] | None = None
    original_media_uri: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class MatchEvent:
    at: float
    requester: str | None
    route: str
    signal_type: str
    query_value: str
    content_id: int
    bank_name: str
    distance: int
    transform: str | None = None


class BankStore(Protocol):
    """Persistence of banks and their content. Never commits: the unit of work does."""

    def list_banks(self) -> list[Bank]: ...
    def get_bank(self, name: str) -> Bank | None: ...
    def get_bank_by_id(self, bank_id: int) -> Bank | None: ...
    def create_bank(self, bank: Bank) -> Bank: ...
    def update_bank(self, bank: Bank) -> None: ...
    def delete_bank(self, bank_id: int) -> None: ...
    def add_content(self, bank: Bank, item: NewContent) -> BankContent: ...
    def get_contents(self, ids: Sequence[int]) -> list[BankContent]: ...
    def update_content(self, content: BankContent) -> None: ...
    def delete_content(self, content_id: int) -> int: ...
    def page_content(
        self, *, bank_id: int | None, after_id: int, limit: int, include_withdrawn: bool
    ) -> list[BankContent]: ...
    def count_content(self, bank_id: int) -> int: ...
    def existing_signals(self, bank_id: int) -> set[tuple[str, str]]: ...
    def count_signals(self) -> dict[str, int]: ...
    def latest_seq(self) -> int: ...
    def changes_since(self, seq: int, limit: int) -> list[tuple[int, int | None, int | None]]: ...
    def changes_at(self, seqs: Sequence[int]) -> list[tuple[int, int | None, int | None]]:
        """The change-feed rows with these numbers that exist now (late commits; see FeedCursor)."""

    def add_match_events(self, events: Sequence[MatchEvent]) -> None: ...
    def recent_match_events(self, *, limit: int, bank: str | None) -> list[MatchEvent]: ...
    def matching_callers(self, content_ids: Sequence[int], *, exclude_route: str) -> dict[int, int]:
        """Per content id, the number of distinct named callers whose look-ups matched it."""


class UnitOfWork(FeatureStores, Protocol):
    """A transaction: commits on clean exit, rolls back on error."""

    @property
    def banks(self) -> BankStore: ...

    @property
    def tenancy(self) -> TenancyStore: ...

    @property
    def audit(self) -> AuditStore: ...

    @property
    def cases(self) -> CaseStore: ...

    @property
    def notices(self) -> NoticeStore: ...

    @property
    def webhooks(self) -> WebhookStore: ...

    @property
    def le_requests(self) -> LeRequestStore: ...

    @property
    def hotline(self) -> HotlineStore: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class MatchEventSink(Protocol):
    """Where match events go; implementations may buffer and write in batches."""

    def record(self, events: Sequence[MatchEvent]) -> None: ...

    def flush(self) -> None:
        """Write whatever is buffered before returning."""


@dataclass(slots=True)
class MatcherSnapshot:
    """Everything a replica needs to serve lookups without reading every row of the database."""

    seq: int
    banks: list[Bank]
    #: content id -> (bank id, disable_until_ts, signal types indexed)
    entries: dict[int, tuple[int, int, tuple[str, ...]]]
    indexes: dict[str, SignalIndex]


class SnapshotStore(Protocol):
    """Where matcher snapshots are kept (a directory by default). Never pickle."""

    def save(self, snapshot: MatcherSnapshot) -> None: ...

    def load(self) -> MatcherSnapshot | None:
        """The last snapshot, or None when there is none or it cannot be trusted."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    org_id: int
    email: str
    display_name: str
    password_hash: str
    roles: frozenset[Role]
    active: bool


@dataclass(frozen=True, slots=True)
class StoredToken:
    id: int
    org_id: int
    user_id: int | None
    name: str
    roles: frozenset[Role]


class TenancyStore(Protocol):
    def create_org(self, name: str, kind: OrgKind, timezone: str) -> Organisation: ...
    def get_org(self, org_id: int) -> Organisation | None: ...
    def get_org_by_name(self, name: str) -> Organisation | None: ...
    def list_orgs(self) -> list[Organisation]: ...
    def create_user(
        self,
        *,
        org_id: int,
        email: str,
        display_name: str,
        password_hash: str,
        roles: frozenset[Role],
    ) -> StoredUser: ...
    def get_user(self, user_id: int) -> StoredUser | None: ...
    def get_user_by_email(self, email: str) -> StoredUser | None: ...
    def list_users(self, org_id: int) -> list[StoredUser]: ...
    def create_token(
        self,
        *,
        org_id: int,
        user_id: int | None,
        name: str,
        token_hash: str,
        roles: frozenset[Role],
    ) -> int: ...
    def find_token(self, token_hash: str) -> StoredToken | None: ...
    def revoke_token(self, token_id: int) -> None: ...
    def create_session(self, *, user_id: int, token_hash: str, csrf: str, ttl_s: float) -> None: ...
    def find_session(self, token_hash: str) -> tuple[int, str] | None: ...
    def delete_session(self, token_hash: str) -> None: ...


class AuditStore(Protocol):
    """The append-only audit chain. `append` serialises concurrent writers."""

    def append(self, record: AuditRecord) -> AuditEntry: ...
    def entries(self, *, after_seq: int, limit: int) -> list[AuditEntry]: ...
    def head(self) -> tuple[int, str]: ...


class NoticeStore(Protocol):
    """Takedown notices and their items; `list_for_org` returns only notices the org sent or
    received (the tenancy rule lives in the query, not in callers)."""

    def add(
        self, *, from_org_id: int, to_org_id: int, draft: NoticeDraft, sent_at: float, due: DueTimes
    ) -> Notice: ...
    def get(self, notice_id: int, *, for_update: bool = False) -> Notice | None: ...
    def list_for_org(
        self, org_id: int, *, since: float = 0.0, open_only: bool = False, limit: int = 200
    ) -> list[Notice]: ...
    def set_clocks(
        self, notice_id: int, *, acknowledged_at: float | None, acted_at: float | None
    ) -> None: ...
    def set_outcomes(self, notice_id: int, outcomes: Sequence[ItemOutcome], at: float) -> None: ...
    def items_with_outcome(self, case_id: int, outcome: Outcome) -> list[NoticeItem]: ...
    def due_for_escalation(self, now: float, limit: int) -> list[Notice]: ...
    def set_escalated(self, notice_id: int, at: float) -> None: ...


class WebhookStore(Protocol):
    """Webhook endpoints (a nonce, never a secret) and the delivery outbox."""

    def add_endpoint(
        self, *, org_id: int, url: str, events: frozenset[Event], nonce: str, at: float
    ) -> WebhookEndpoint: ...
    def endpoints(self, org_id: int) -> list[WebhookEndpoint]: ...
    def get_endpoint(self, endpoint_id: int) -> WebhookEndpoint | None: ...
    def set_nonce(self, endpoint_id: int, nonce: str) -> None: ...
    def delete_endpoint(self, endpoint_id: int) -> None: ...
    def add_delivery(self, *, endpoint_id: int, event: Event, payload: str, at: float) -> int: ...
    def due(self, now: float, limit: int) -> list[Delivery]: ...
    def claim(self, delivery_id: int, *, seen_next: float, lease_until: float) -> bool:
        """Take a due delivery for one worker (false if another took it first)."""

    def save_delivery(self, delivery: Delivery) -> None: ...
    def deliveries(self, endpoint_id: int, *, limit: int) -> list[Delivery]: ...
