"""Idempotency keys (issue 10): a client retrying a POST with the same key gets the first result.

The HTTP layer calls `begin` before running a request that carries an `Idempotency-Key` and
`finish` with the response before sending it. The guarantees, and why they hold:

* A response is only sent after it is stored (`finish` commits first), so every acknowledged
  request replays exactly; the work itself committed before the response was produced.
* While the attempt runs, `CURRENT_ATTEMPT` names its key; the unit of work flags the key
  `work_committed` in the same transaction as the attempt's first commit. If the process dies
  mid-attempt, the key is left `started`: once its lock lapses, a retry re-runs it when nothing
  was committed, and is refused (409, outcome unknown) when work was committed but the response
  was lost, because running it again could duplicate the work.
* Responses that changed nothing and that the client should be free to retry with the same key
  (5xx, 401/403, 408, 409, 429) are not stored; the key is released.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from haechi.domain.errors import Conflict
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_reliability import IdempotencyStore, NewKey, StoredKey

#: statuses after which the key is released (the client may retry) unless work was committed
NOT_STORED = frozenset({401, 403, 408, 409, 425, 429})
MAX_KEY_LENGTH = 255


@dataclass(slots=True)
class Attempt:
    """The running attempt of an idempotent request (shared with the worker thread it runs on)."""

    key_id: int
    committed: bool = False


CURRENT_ATTEMPT: ContextVar[Attempt | None] = ContextVar("haechi_idempotent_attempt", default=None)


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Refused:
    status_code: int
    error: str
    message: str


@dataclass(frozen=True, slots=True)
class RequestKey:
    scope: str
    key: str
    method: str
    path: str
    fingerprint: str


class IdempotencyService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        ttl_s: float,
        lock_s: float,
        clock: Callable[[], float] = time.time,
        sweep_every_s: float = 300.0,
    ) -> None:
        self._uow = uow_factory
        self._ttl_s = ttl_s
        self._lock_s = lock_s
        self._clock = clock
        self._sweep_every_s = sweep_every_s
        self._next_sweep = 0.0

    def begin(self, request: RequestKey) -> Attempt | Replay | Refused:
        """Claim the key for a first attempt, or say how to answer a repeat."""
        if not request.key or len(request.key) > MAX_KEY_LENGTH or not request.key.isprintable():
            return Refused(
                400, "InvalidInput", "Idempotency-Key must be 1-255 printable characters"
            )
        now = self._clock()
        self._maybe_sweep(now)
        try:
            with self._uow() as uow:
                existing = uow.idempotency.get(request.scope, request.key)
                if existing is not None and existing.expires_at < now:
                    uow.idempotency.release(existing.id)
                    existing = None
                if existing is not None:
                    return self._repeat(uow.idempotency, existing, request, now)
                key_id = uow.idempotency.insert(self._new(request, now))
        except Conflict:  # a concurrent first attempt claimed the key (its transaction rolled back)
            return _in_flight()
        return Attempt(key_id)

    def finish(
        self, attempt: Attempt, status_code: int, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> None:
        """Store the response (or release the key) before the response is sent."""
        with self._uow() as uow:
            retryable = status_code in NOT_STORED or status_code >= 500
            if retryable and not attempt.committed:
                uow.idempotency.release(attempt.key_id)
                return
            uow.idempotency.complete(
                attempt.key_id,
                status_code=status_code,
                headers=headers,
                body=body,
                expires_at=self._clock() + self._ttl_s,
            )

    def sweep(self) -> int:
        """Delete expired keys (all of them, in batches); returns how many."""
        total = 0
        while True:
            with self._uow() as uow:
                deleted = uow.idempotency.sweep(self._clock())
            total += deleted
            if deleted == 0:
                return total

    def _maybe_sweep(self, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + self._sweep_every_s
            with self._uow() as uow:
                uow.idempotency.sweep(now)

    def _new(self, request: RequestKey, now: float) -> NewKey:
        return NewKey(
            scope=request.scope,
            key=request.key,
            method=request.method,
            path=request.path,
            fingerprint=request.fingerprint,
            created_at=now,
            locked_until=now + self._lock_s,
            expires_at=now + self._ttl_s,
        )

    def _repeat(
        self, store: IdempotencyStore, existing: StoredKey, request: RequestKey, now: float
    ) -> Attempt | Replay | Refused:
        if existing.fingerprint != request.fingerprint:
            return Refused(
                422,
                "IdempotencyKeyReused",
                "this Idempotency-Key was used for a different request; use a new key",
            )
        if existing.state == "done" and existing.status_code is not None:
            body = existing.response_body or b""
            return Replay(existing.status_code, existing.response_headers, body)
        if existing.locked_until > now:
            return _in_flight()
        if existing.work_committed:
            return Refused(
                409,
                "IdempotencyOutcomeUnknown",
                "an earlier attempt with this Idempotency-Key committed its work but was "
                "interrupted before answering; check the result instead of retrying",
            )
        taken = store.take_over(existing.id, now=now, locked_until=now + self._lock_s)
        return Attempt(existing.id) if taken else _in_flight()


def _in_flight() -> Refused:
    return Refused(
        409,
        "IdempotencyInFlight",
        "a request with this Idempotency-Key is still in progress; retry later",
    )
