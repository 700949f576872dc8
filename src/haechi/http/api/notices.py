"""Takedown notices over the API: a regulator sends, the addressed platform acknowledges and
reports outcomes, the regulator watches the SLA board. Every route needs an organisation's
token or session; the services enforce who may see and answer what."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query

from haechi.domain.notices import ItemOutcome, NewItem, NoticeDraft
from haechi.domain.sla import resolve_policy
from haechi.http.api.notice_schemas import (
    BoardPublic,
    NoticeCreate,
    NoticePublic,
    OutcomesReport,
)
from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])


def draft_of(body: NoticeCreate) -> NoticeDraft:
    return NoticeDraft(
        platform=body.platform,
        legal_ground=body.legal_ground,
        policy=resolve_policy(body.policy, body.sla),
        items=tuple(NewItem(i.kind, i.value, i.signal_type) for i in body.items),
        case_id=body.case_id,
        note=body.note,
    )


@router.post("", status_code=201, summary="Send a takedown notice to a platform")
def send_notice(services: ServicesDep, principal: PrincipalDep, body: NoticeCreate) -> NoticePublic:
    notice = services.notices.send(principal, draft_of(body))
    return NoticePublic.of(notice, time.time())


@router.get("", summary="Notices your organisation sent or received, newest first")
def list_notices(
    services: ServicesDep,
    principal: PrincipalDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NoticePublic]:
    found = services.notices.list_notices(principal, open_only=open_only, limit=limit)
    now = time.time()
    return [NoticePublic.of(n, now, with_items=False) for n in found]


@router.get("/board", summary="SLA board: per notice and per platform")
def board(
    services: ServicesDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> BoardPublic:
    return BoardPublic.of(services.board.board(principal, days=days))


@router.get("/{notice_id:int}", summary="One notice with its items and clocks")
def get_notice(services: ServicesDep, principal: PrincipalDep, notice_id: int) -> NoticePublic:
    return NoticePublic.of(services.notices.get(principal, notice_id), time.time())


@router.post("/{notice_id:int}/acknowledge", summary="Acknowledge a notice (addressed platform)")
def acknowledge(services: ServicesDep, principal: PrincipalDep, notice_id: int) -> NoticePublic:
    return NoticePublic.of(services.notices.acknowledge(principal, notice_id), time.time())


@router.post("/{notice_id:int}/outcomes", summary="Report item outcomes (addressed platform)")
def report_outcomes(
    services: ServicesDep, principal: PrincipalDep, notice_id: int, body: OutcomesReport
) -> NoticePublic:
    outcomes = [ItemOutcome(o.item_id, o.outcome, o.reason) for o in body.outcomes]
    notice = services.notices.report_outcomes(principal, notice_id, outcomes)
    return NoticePublic.of(notice, time.time())
