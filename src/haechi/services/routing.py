"""Routing rules: each organisation's rules over detector signals, and applying them to items.

A rule that matches an item is recorded as a hit (once per item and rule) and acts on the case's
place in the review queue: `priority_review` lifts the case into the front tier beside bank matches
(never above trusted flaggers), `flag` marks the item, `notify` also sends the owner's systems a
`case.routed` webhook. No action removes, hides or decides anything: a person still reviews every
item. Rules are written by admins and analysts (`routing_rules:write`), read by anyone who reads
cases, and every change is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from haechi.domain.cases import Case, Priority
from haechi.domain.detections import RoutingRule, RuleAction, RuleHit, combined_signals
from haechi.domain.errors import Conflict, InvalidInput, NotFound
from haechi.domain.routing import canonical, check_rule_name, evaluate, parse_rule
from haechi.domain.tenancy import Permission, Principal
from haechi.domain.webhooks import Event
from haechi.services.audit import record, record_as
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_jobs import Job, JobProgress, PermanentJobFailure
from haechi.services.webhooks import enqueue as enqueue_webhook

__all__ = ["ROUTER_ACTOR", "ROUTE_JOB", "RoutingService", "apply_rules", "check_action"]

#: the audit actor for what rules do on their own
ROUTER_ACTOR = "system:routing"
#: the queue tier a `priority_review` hit lifts a case to
PRIORITY_TIER = Priority.MATCHED
MAX_RULES = 100
#: items a rule change re-evaluates at most (the open queue; older items keep their hits)
MAX_REROUTE = 20_000
ROUTE_JOB = "detect.route"


def _queue_reroute(uow: UnitOfWork, org_id: int, enabled: bool) -> None:
    if enabled:
        uow.jobs.enqueue(ROUTE_JOB, {"org_id": org_id}, org_id=org_id, dedupe_key=f"route:{org_id}")


def check_action(value: object) -> RuleAction:
    try:
        return RuleAction(str(value))
    except ValueError:
        raise InvalidInput(f"action must be one of {[a.value for a in RuleAction]}") from None


def apply_rules(
    uow: UnitOfWork, case: Case, item_ids: Sequence[int], *, now: float
) -> list[RuleHit]:
    """Evaluate the case owner's enabled rules on these items' stored signals; record new hits
    and carry out their actions in the caller's transaction. Returns the new hits."""
    rules = uow.detections.rules(case.owner_org_id, enabled_only=True)
    if not rules or not item_ids:
        return []
    results = uow.detections.results_for_items(item_ids)
    hits: list[RuleHit] = []
    for item_id in item_ids:
        signals = combined_signals(r for r in results if r.item_id == item_id)
        for rule in rules:
            if uow.detections.has_hit(item_id, rule.id):
                continue
            if evaluate(parse_rule(rule.expression), signals):
                hits.append(uow.detections.add_hit(_hit(case, item_id, rule, signals, now)))
    if hits:
        _act(uow, case, hits, now)
    return hits


def _hit(
    case: Case, item_id: int, rule: RoutingRule, signals: dict[str, float], now: float
) -> RuleHit:
    return RuleHit(
        id=0,
        case_id=case.id,
        item_id=item_id,
        rule_id=rule.id,
        rule_name=rule.name,
        expression=rule.expression,
        action=rule.action,
        signals=signals,
        created_at=now,
    )


def _act(uow: UnitOfWork, case: Case, hits: list[RuleHit], now: float) -> None:
    current = uow.cases.get_case_by_id(case.id) or case
    if (
        any(h.action is RuleAction.PRIORITY_REVIEW for h in hits)
        and current.priority > PRIORITY_TIER
    ):
        uow.cases.update_case(replace(current, priority=PRIORITY_TIER, updated_at=now))
    for hit in hits:
        if hit.action is RuleAction.NOTIFY:
            data = {
                "case": case.number,
                "item": hit.item_id,
                "rule": hit.rule_name,
                "signals": dict(hit.signals),
                "note": "a signal for human review, not a decision",
            }
            enqueue_webhook(
                uow, org_id=case.owner_org_id, event=Event.CASE_ROUTED, data=data, at=now
            )
        record_as(
            uow,
            ROUTER_ACTOR,
            case.owner_org_id,
            "routing.hit",
            "case",
            case.number,
            item=hit.item_id,
            rule=hit.rule_name,
            rule_action=hit.action.value,
        )


class RoutingService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        wake: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._wake = wake
        self._clock = clock

    def rules(self, principal: Principal) -> list[RoutingRule]:
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            return uow.detections.rules(principal.org_id)

    def create(
        self,
        principal: Principal,
        *,
        name: object,
        expression: object,
        action: object,
        enabled: bool = True,
    ) -> RoutingRule:
        principal.require(Permission.ROUTING_RULES_WRITE)
        clean_name, text, act = check_rule_name(name), canonical(expression), check_action(action)
        with self._uow() as uow:
            existing = uow.detections.rules(principal.org_id)
            if len(existing) >= MAX_RULES:
                raise Conflict(f"an organisation may keep at most {MAX_RULES} routing rules")
            if any(r.name == clean_name for r in existing):
                raise Conflict(f"a rule named '{clean_name}' exists already")
            rule = uow.detections.add_rule(
                org_id=principal.org_id,
                name=clean_name,
                expression=text,
                action=act,
                enabled=enabled,
                actor=principal.actor,
                now=self._clock(),
            )
            record(
                uow,
                principal,
                "routing_rule.create",
                "routing_rule",
                rule.id,
                name=rule.name,
                expression=text,
                rule_action=act.value,
            )
            _queue_reroute(uow, principal.org_id, enabled)
        self._wake()
        return rule

    def update(
        self,
        principal: Principal,
        rule_id: int,
        *,
        expression: object | None = None,
        action: object | None = None,
        enabled: bool | None = None,
    ) -> RoutingRule:
        principal.require(Permission.ROUTING_RULES_WRITE)
        with self._uow() as uow:
            rule = self._own(uow, principal, rule_id)
            changed = replace(
                rule,
                expression=rule.expression if expression is None else canonical(expression),
                action=rule.action if action is None else check_action(action),
                enabled=rule.enabled if enabled is None else enabled,
                updated_at=self._clock(),
            )
            uow.detections.update_rule(changed)
            record(
                uow,
                principal,
                "routing_rule.update",
                "routing_rule",
                rule.id,
                name=rule.name,
                expression=changed.expression,
                rule_action=changed.action.value,
                enabled=changed.enabled,
            )
            _queue_reroute(uow, principal.org_id, changed.enabled)
        self._wake()
        return changed

    def delete(self, principal: Principal, rule_id: int) -> None:
        principal.require(Permission.ROUTING_RULES_WRITE)
        with self._uow() as uow:
            rule = self._own(uow, principal, rule_id)
            uow.detections.delete_rule(principal.org_id, rule.id)
            record(uow, principal, "routing_rule.delete", "routing_rule", rule.id, name=rule.name)

    def run_job(self, job: Job, progress: JobProgress) -> None:
        """`detect.route`: apply the organisation's rules to the stored signals of its open cases
        (so a new or changed rule reaches items scored before it)."""
        org_id = job.payload.get("org_id")
        if not isinstance(org_id, int):
            raise PermanentJobFailure("detect.route payload needs org_id")
        with self._uow() as uow:
            pairs = uow.detections.scored_items(owner_org_id=org_id, limit=MAX_REROUTE)
        by_case: dict[int, list[int]] = {}
        for case_id, item_id in pairs:
            by_case.setdefault(case_id, []).append(item_id)
        for done, (case_id, item_ids) in enumerate(by_case.items()):
            progress(done, len(by_case))
            with self._uow() as uow:
                case = uow.cases.get_case_by_id(case_id)
                if case is not None:
                    apply_rules(uow, case, item_ids, now=self._clock())
        progress(len(by_case), len(by_case))

    def _own(self, uow: UnitOfWork, principal: Principal, rule_id: int) -> RoutingRule:
        rule = uow.detections.get_rule(principal.org_id, rule_id)
        if rule is None:
            raise NotFound(f"routing rule {rule_id} not found")
        return rule
