"""Every route of the room map (issue 8) in one router: rooms and blocklists API, and the UI."""

from __future__ import annotations

from fastapi import APIRouter

from haechi.http.api import blocklists, rooms
from haechi.http.ui import blocklists as ui_blocklists
from haechi.http.ui import rooms as ui_rooms

router = APIRouter()
for module in (rooms, blocklists, ui_rooms, ui_blocklists):
    router.include_router(module.router)
