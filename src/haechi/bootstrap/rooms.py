"""Builds the room map (issue 8): rooms, analysis, blocklists signed with their own Ed25519 key
(the evidence signer's class, a separate key file), and the e-mail intake of notices."""

from __future__ import annotations

from collections.abc import Callable

from haechi.adapters.signing import FileKeySigner
from haechi.config import Settings
from haechi.services.hashing import HashingService
from haechi.services.lookup import LookupService
from haechi.services.notices import NoticeService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.room_bundle import RoomServices


def build_rooms(
    settings: Settings,
    uow: UnitOfWorkFactory,
    lookup: LookupService,
    hashing: HashingService,
    notices: NoticeService,
    on_enqueue: Callable[[], None],
) -> RoomServices:
    return RoomServices.build(
        uow_factory=uow,
        lookup=lookup,
        hashing=hashing,
        notices=notices,
        signer=FileKeySigner(settings.blocklist_key_path),
        settings=settings,
        on_enqueue=on_enqueue,
    )
