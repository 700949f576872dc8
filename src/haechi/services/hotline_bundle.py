"""The hotline and evidence use cases, built together because they share the blob store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from haechi.services.evidence import EvidenceService
from haechi.services.hotline import HotlineService
from haechi.services.hotline_mail import HotlineMailService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_hotline import Signer


class HotlineSettings(Protocol):
    """The settings these services read (structurally: services never import config)."""

    @property
    def hotline_mail_domain(self) -> str: ...
    @property
    def hotline_reply_hours(self) -> float: ...


@dataclass(frozen=True, slots=True)
class HotlineServices:
    threads: HotlineService
    mail: HotlineMailService
    evidence: EvidenceService

    @classmethod
    def build(
        cls,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        signer: Signer,
        settings: HotlineSettings,
        now: Callable[[], float] | None = None,
    ) -> HotlineServices:
        clock = {"now": now} if now is not None else {}
        return cls(
            HotlineService(
                uow_factory=uow_factory,
                blobs=blobs,
                reply_hours=settings.hotline_reply_hours,
                **clock,
            ),
            HotlineMailService(
                uow_factory=uow_factory, blobs=blobs, domain=settings.hotline_mail_domain, **clock
            ),
            EvidenceService(uow_factory=uow_factory, blobs=blobs, signer=signer),
        )
