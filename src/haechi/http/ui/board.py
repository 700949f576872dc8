"""Web UI: the regulator's live SLA board ("25 of 25 removed, slowest 36 h").

The page polls itself with htmx every few seconds and swaps in only the board (htmx requests get
the fragment alone), so overdue badges appear while the regulator watches. Its menu entry is
registered next to the notices' (`haechi.http.ui.notices`), so the menu order is stable.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import UiPrincipalDep, render

router = APIRouter(prefix="/ui/board", include_in_schema=False)
POLL_S = 5


@router.get("")
def board(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> HTMLResponse:
    figures = services.board.board(principal, days=days)
    fragment = request.headers.get("hx-request") == "true"
    return render(
        request,
        services,
        "board_live.html" if fragment else "board.html",
        principal,
        board=figures,
        days=days,
        poll_s=POLL_S,
        now=time.time(),
    )
