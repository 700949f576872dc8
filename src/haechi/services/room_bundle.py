"""The room-map use cases (issue 8), built together because they share the link patterns."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from haechi.domain.rooms import parse_patterns
from haechi.services.blocklists import BlocklistService
from haechi.services.notice_mail import MediaHasher, NoticeMailService
from haechi.services.notices import NoticeService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_hotline import Signer
from haechi.services.room_analysis import RoomAnalysisService
from haechi.services.room_import import RoomImporter
from haechi.services.room_reads import RoomDirectory
from haechi.services.rooms import RoomService, SignalLookup


class RoomSettings(Protocol):
    """The settings these services read (structurally: services never import config)."""

    @property
    def room_link_patterns(self) -> list[str]: ...
    @property
    def blocklist_rpz_zone(self) -> str: ...
    @property
    def blocklist_rpz_ttl(self) -> int: ...
    @property
    def notice_mail_address(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RoomServices:
    observations: RoomService
    imports: RoomImporter
    directory: RoomDirectory
    analysis: RoomAnalysisService
    blocklists: BlocklistService
    notice_mail: NoticeMailService

    @classmethod
    def build(
        cls,
        *,
        uow_factory: UnitOfWorkFactory,
        lookup: SignalLookup,
        hashing: MediaHasher,
        notices: NoticeService,
        signer: Signer,
        settings: RoomSettings,
        on_enqueue: Callable[[], None] | None = None,
        now: Callable[[], float] = time.time,
    ) -> RoomServices:
        patterns = parse_patterns(list(settings.room_link_patterns))
        rooms = RoomService(
            uow_factory=uow_factory,
            lookup=lookup,
            patterns=patterns,
            now=now,
            on_enqueue=on_enqueue,
        )
        return cls(
            observations=rooms,
            imports=RoomImporter(rooms=rooms),
            directory=RoomDirectory(uow_factory=uow_factory, patterns=patterns, now=now),
            analysis=RoomAnalysisService(uow_factory=uow_factory),
            blocklists=BlocklistService(
                uow_factory=uow_factory,
                signer=signer,
                zone=settings.blocklist_rpz_zone,
                ttl=settings.blocklist_rpz_ttl,
                now=now,
            ),
            notice_mail=NoticeMailService(
                uow_factory=uow_factory,
                notices=notices,
                hashing=hashing,
                address=settings.notice_mail_address,
            ),
        )
