"""The law-enforcement use cases, built together because they share one dispatcher (paging)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from haechi.services.le_dashboard import LeDashboardService
from haechi.services.le_paging import Dispatcher
from haechi.services.le_requests import LeRequestService
from haechi.services.le_verification import LeVerificationService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_le import Mailer


@dataclass(frozen=True, slots=True)
class LeServices:
    requests: LeRequestService
    verification: LeVerificationService
    dashboard: LeDashboardService

    @classmethod
    def build(
        cls,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        mailer: Mailer,
        on_enqueue: Callable[[], None] | None = None,
        now: Callable[[], float] | None = None,
    ) -> LeServices:
        dispatch = Dispatcher(uow_factory=uow_factory, mailer=mailer, on_enqueue=on_enqueue)
        clock = {"now": now} if now is not None else {}
        return cls(
            LeRequestService(uow_factory=uow_factory, blobs=blobs, dispatcher=dispatch, **clock),
            LeVerificationService(uow_factory=uow_factory, dispatcher=dispatch, **clock),
            LeDashboardService(uow_factory=uow_factory, **clock),
        )
