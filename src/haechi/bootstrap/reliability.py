"""Builds the idempotency-key service (issue 10) from settings."""

from __future__ import annotations

from haechi.config import Settings
from haechi.services.idempotency import IdempotencyService
from haechi.services.ports import UnitOfWorkFactory


def build_idempotency(settings: Settings, uow: UnitOfWorkFactory) -> IdempotencyService:
    return IdempotencyService(
        uow, ttl_s=settings.idempotency_ttl_s, lock_s=settings.idempotency_lock_s
    )
