"""Port for idempotency keys (issue 10): what the idempotency service needs from storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredKey:
    """One idempotency key as stored: the first attempt's request fingerprint and outcome."""

    id: int
    scope: str
    key: str
    method: str
    path: str
    fingerprint: str
    #: `started` while the first attempt runs, `done` once its response is stored
    state: str
    #: set in the same transaction as the attempt's first commit
    work_committed: bool
    status_code: int | None
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes | None
    locked_until: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class NewKey:
    scope: str
    key: str
    method: str
    path: str
    fingerprint: str
    created_at: float
    locked_until: float
    expires_at: float


class IdempotencyStore(Protocol):
    def get(self, scope: str, key: str) -> StoredKey | None: ...

    def insert(self, new: NewKey) -> int:
        """Claim (scope, key); raises domain Conflict when another attempt claimed it first."""
        ...

    def take_over(self, key_id: int, *, now: float, locked_until: float) -> bool:
        """Re-claim an abandoned attempt that committed nothing; False if someone else did."""
        ...

    def complete(
        self,
        key_id: int,
        *,
        status_code: int,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        expires_at: float,
    ) -> None: ...

    def release(self, key_id: int) -> None:
        """Forget an attempt that changed nothing, so the client may retry it."""
        ...

    def sweep(self, now: float, *, limit: int = 1000) -> int:
        """Delete up to `limit` keys that expired before `now`; returns how many."""
        ...
