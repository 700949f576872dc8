"""All exchange routes (issue 9) in one router: the publisher API, the subscriber API, the UI."""

from __future__ import annotations

from fastapi import APIRouter

from haechi.http.api import exchange, exchange_sources
from haechi.http.ui import exchange as ui_exchange

router = APIRouter()
for module in (exchange, exchange_sources, ui_exchange):
    router.include_router(module.router)
