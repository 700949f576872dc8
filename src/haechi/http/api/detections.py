"""Detector results and routing rules (`/api/v1`): what detectors found on a case's items, which
detectors run here, and each organisation's routing rules.

Results are signals for human review, never decisions. Reading needs `cases:read` (and a case the
caller can see: others answer 404); re-running needs `cases:write`; rules are written by admins
and analysts (`routing_rules:write`).
"""

from __future__ import annotations

from fastapi import APIRouter

from haechi.http.api.detection_schemas import (
    CaseDetectionsPublic,
    DetectorPublic,
    DetectorsPublic,
    RerunPublic,
    RuleCreate,
    RulePublic,
    RuleUpdate,
)
from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["detections"])


@router.get("/cases/{number}/detections", summary="Detector results and rule hits per item")
def case_detections(
    services: ServicesDep, principal: PrincipalDep, number: str
) -> CaseDetectionsPublic:
    return CaseDetectionsPublic.of(services.detection.service.for_case(principal, number))


@router.post(
    "/cases/{number}/detections",
    status_code=202,
    summary="Run the detectors on the case's media again (background jobs)",
)
def rerun(services: ServicesDep, principal: PrincipalDep, number: str) -> RerunPublic:
    return RerunPublic(jobs=services.detection.service.rerun(principal, number))


@router.get("/detectors", summary="Detectors running on this instance, and those that are not")
def detectors(services: ServicesDep, principal: PrincipalDep) -> DetectorsPublic:
    running, missing = services.detection.service.detectors(principal)
    return DetectorsPublic(running=[DetectorPublic.of(d) for d in running], unavailable=missing)


@router.get("/routing-rules", summary="Your organisation's routing rules")
def list_rules(services: ServicesDep, principal: PrincipalDep) -> list[RulePublic]:
    return [RulePublic.of(r) for r in services.detection.routing.rules(principal)]


@router.post("/routing-rules", status_code=201, summary="Add a routing rule")
def create_rule(services: ServicesDep, principal: PrincipalDep, body: RuleCreate) -> RulePublic:
    rule = services.detection.routing.create(
        principal,
        name=body.name,
        expression=body.expression,
        action=body.action.value,
        enabled=body.enabled,
    )
    return RulePublic.of(rule)


@router.patch("/routing-rules/{rule_id}", summary="Change a rule's expression, action or state")
def update_rule(
    services: ServicesDep, principal: PrincipalDep, rule_id: int, body: RuleUpdate
) -> RulePublic:
    rule = services.detection.routing.update(
        principal,
        rule_id,
        expression=body.expression,
        action=None if body.action is None else body.action.value,
        enabled=body.enabled,
    )
    return RulePublic.of(rule)


@router.delete("/routing-rules/{rule_id}", status_code=204, summary="Delete a rule (hits stay)")
def delete_rule(services: ServicesDep, principal: PrincipalDep, rule_id: int) -> None:
    services.detection.routing.delete(principal, rule_id)
