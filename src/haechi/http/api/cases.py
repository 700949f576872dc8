"""The case API (`/api/v1/cases`): the triage queue, case detail, media, decisions, statements.

Every route needs an organisation's token or a signed-in user; a case of another tenant answers
404 like a case that does not exist. Media are served with `no-store` and as attachments, and every
read is audited by the review service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from haechi.http.api.case_schemas import (
    CaseDetail,
    CaseSummaryPublic,
    DecisionCreate,
    DecisionPublic,
    ShareBody,
)
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.review import DecisionInput

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get("", summary="The triage queue: own and shared cases, most urgent first")
def queue(
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    include_closed: bool = False,
) -> list[CaseSummaryPublic]:
    found = services.review.queue(principal, limit=limit, include_closed=include_closed)
    return [CaseSummaryPublic.of(s) for s in found]


@router.get("/{number}", summary="A case: its reports, items with match evidence, decisions")
def case(services: ServicesDep, principal: PrincipalDep, number: str) -> CaseDetail:
    return CaseDetail.of(services.review.case(principal, number))


@router.get("/{number}/items/{item_id}/media", summary="An item's uploaded file (audited)")
def media(services: ServicesDep, principal: PrincipalDep, number: str, item_id: int) -> Response:
    data, media_type = services.review.media(principal, number, item_id)
    return Response(
        data,
        media_type=media_type,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{number}-{item_id}"',
        },
    )


@router.post(
    "/{number}/items/{item_id}/decisions",
    status_code=201,
    summary="Decide on an item: confirm_illegal (optionally into a bank), not_illegal, escalate",
)
def decide(
    services: ServicesDep,
    principal: PrincipalDep,
    number: str,
    item_id: int,
    body: DecisionCreate,
) -> DecisionPublic:
    given = DecisionInput(
        outcome=body.outcome,
        bank=body.bank,
        note=body.note,
        statement=body.statement_of_reasons,
    )
    return DecisionPublic.of(services.review.decide(principal, number, item_id, given))


@router.get(
    "/{number}/decisions/{decision_id}/statement",
    summary="A decision's statement of reasons as DSA Transparency Database JSON (audited)",
)
def statement(
    services: ServicesDep, principal: PrincipalDep, number: str, decision_id: int
) -> dict[str, Any]:
    return services.review.statement_of_reasons(principal, number, decision_id)


@router.post("/{number}/share", summary="Share a case with another organisation (read access)")
def share(
    services: ServicesDep, principal: PrincipalDep, number: str, body: ShareBody
) -> CaseDetail:
    services.review.share(principal, number, body.org)
    return CaseDetail.of(services.review.case(principal, number))
