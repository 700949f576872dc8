"""SQL store for detector results, routing rules and rule hits (issue 7). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_cases import CaseItemRow, CaseRow
from haechi.adapters.sql.tables_detections import (
    DetectionResultRow,
    RoutingHitRow,
    RoutingRuleRow,
)
from haechi.domain.cases import ACTIVE_CASE
from haechi.domain.detections import (
    DetectionResult,
    RoutingRule,
    RuleAction,
    RuleHit,
    SignalValue,
)


def _result(row: DetectionResultRow) -> DetectionResult:
    return DetectionResult(
        id=row.id,
        case_id=row.case_id,
        item_id=row.item_id,
        detector=row.detector,
        version=row.version,
        scores=tuple(
            SignalValue(str(s["name"]), float(s["value"]), dict(s.get("detail") or {}))
            for s in row.scores
        ),
        latency_ms=row.latency_ms,
        created_at=row.created_at,
        error=row.error,
        batch_size=row.batch_size,
    )


def _rule(row: RoutingRuleRow) -> RoutingRule:
    return RoutingRule(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        expression=row.expression,
        action=RuleAction(row.action),
        enabled=row.enabled,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
    )


def _hit(row: RoutingHitRow) -> RuleHit:
    return RuleHit(
        id=row.id,
        case_id=row.case_id,
        item_id=row.item_id,
        rule_id=row.rule_id,
        rule_name=row.rule_name,
        expression=row.expression,
        action=RuleAction(row.action),
        signals=dict(row.signals),
        created_at=row.created_at,
    )


class SqlDetectionStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- results ----------------------------------------------------------------------------------
    def save_result(self, result: DetectionResult) -> DetectionResult:
        self._session.execute(
            delete(DetectionResultRow).where(
                DetectionResultRow.item_id == result.item_id,
                DetectionResultRow.detector == result.detector,
            )
        )
        scores: list[dict[str, Any]] = [s.as_dict() for s in result.scores]
        row = DetectionResultRow(
            case_id=result.case_id,
            item_id=result.item_id,
            detector=result.detector,
            version=result.version[:200],
            scores=scores,
            latency_ms=result.latency_ms,
            batch_size=result.batch_size,
            error=result.error,
            created_at=result.created_at,
        )
        self._session.add(row)
        self._session.flush()
        return _result(row)

    def results_for_items(self, item_ids: Sequence[int]) -> list[DetectionResult]:
        if not item_ids:
            return []
        rows = self._session.scalars(
            select(DetectionResultRow)
            .where(DetectionResultRow.item_id.in_(list(item_ids)))
            .order_by(DetectionResultRow.item_id, DetectionResultRow.detector)
        )
        return [_result(r) for r in rows]

    def results_for_case(self, case_id: int) -> list[DetectionResult]:
        rows = self._session.scalars(
            select(DetectionResultRow)
            .where(DetectionResultRow.case_id == case_id)
            .order_by(DetectionResultRow.item_id, DetectionResultRow.detector)
        )
        return [_result(r) for r in rows]

    def unscored_items(self, *, limit: int) -> list[tuple[int, int]]:
        scored = select(DetectionResultRow.item_id)
        rows = self._session.execute(
            select(CaseItemRow.case_id, CaseItemRow.id)
            .join(CaseRow, CaseRow.id == CaseItemRow.case_id)
            .where(
                CaseItemRow.media_key.is_not(None),
                CaseRow.status.in_([s.value for s in ACTIVE_CASE]),
                CaseItemRow.id.not_in(scored),
            )
            .order_by(CaseItemRow.id)
            .limit(limit)
        )
        return [(int(c), int(i)) for c, i in rows]

    def scored_items(self, *, owner_org_id: int, limit: int) -> list[tuple[int, int]]:
        rows = self._session.execute(
            select(DetectionResultRow.case_id, DetectionResultRow.item_id)
            .join(CaseRow, CaseRow.id == DetectionResultRow.case_id)
            .where(
                CaseRow.owner_org_id == owner_org_id,
                CaseRow.status.in_([s.value for s in ACTIVE_CASE]),
            )
            .distinct()
            .order_by(DetectionResultRow.case_id, DetectionResultRow.item_id)
            .limit(limit)
        )
        return [(int(c), int(i)) for c, i in rows]

    # -- rules ------------------------------------------------------------------------------------
    def add_rule(
        self,
        *,
        org_id: int,
        name: str,
        expression: str,
        action: RuleAction,
        enabled: bool,
        actor: str,
        now: float,
    ) -> RoutingRule:
        row = RoutingRuleRow(
            org_id=org_id,
            name=name,
            expression=expression,
            action=action.value,
            enabled=enabled,
            created_by=actor[:200],
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return _rule(row)

    def rules(self, org_id: int, *, enabled_only: bool = False) -> list[RoutingRule]:
        query = select(RoutingRuleRow).where(RoutingRuleRow.org_id == org_id)
        if enabled_only:
            query = query.where(RoutingRuleRow.enabled.is_(True))
        return [_rule(r) for r in self._session.scalars(query.order_by(RoutingRuleRow.id))]

    def get_rule(self, org_id: int, rule_id: int) -> RoutingRule | None:
        row = self._session.get(RoutingRuleRow, rule_id)
        return None if row is None or row.org_id != org_id else _rule(row)

    def rule_named(self, org_id: int, name: str) -> RoutingRule | None:
        row = self._session.scalar(
            select(RoutingRuleRow).where(
                RoutingRuleRow.org_id == org_id, RoutingRuleRow.name == name
            )
        )
        return None if row is None else _rule(row)

    def update_rule(self, rule: RoutingRule) -> None:
        row = self._session.get(RoutingRuleRow, rule.id)
        if row is None:
            return
        row.name = rule.name
        row.expression = rule.expression
        row.action = rule.action.value
        row.enabled = rule.enabled
        row.updated_at = rule.updated_at
        self._session.flush()

    def delete_rule(self, org_id: int, rule_id: int) -> None:
        self._session.execute(
            delete(RoutingRuleRow).where(
                RoutingRuleRow.id == rule_id, RoutingRuleRow.org_id == org_id
            )
        )
        # SQLite does not enforce ON DELETE SET NULL without the pragma; do it explicitly
        for hit in self._session.scalars(
            select(RoutingHitRow).where(RoutingHitRow.rule_id == rule_id)
        ):
            hit.rule_id = None
        self._session.flush()

    # -- hits -------------------------------------------------------------------------------------
    def add_hit(self, hit: RuleHit) -> RuleHit:
        row = RoutingHitRow(
            case_id=hit.case_id,
            item_id=hit.item_id,
            rule_id=hit.rule_id,
            rule_name=hit.rule_name,
            expression=hit.expression,
            action=hit.action.value,
            signals=dict(hit.signals),
            created_at=hit.created_at,
        )
        self._session.add(row)
        self._session.flush()
        return _hit(row)

    def hits_for_case(self, case_id: int) -> list[RuleHit]:
        rows = self._session.scalars(
            select(RoutingHitRow).where(RoutingHitRow.case_id == case_id).order_by(RoutingHitRow.id)
        )
        return [_hit(r) for r in rows]

    def hits_for_cases(self, case_ids: Sequence[int]) -> dict[int, list[RuleHit]]:
        out: dict[int, list[RuleHit]] = {}
        if not case_ids:
            return out
        rows = self._session.scalars(
            select(RoutingHitRow)
            .where(RoutingHitRow.case_id.in_(list(case_ids)))
            .order_by(RoutingHitRow.id)
        )
        for row in rows:
            out.setdefault(row.case_id, []).append(_hit(row))
        return out

    def has_hit(self, item_id: int, rule_id: int) -> bool:
        found = self._session.scalar(
            select(RoutingHitRow.id)
            .where(RoutingHitRow.item_id == item_id, RoutingHitRow.rule_id == rule_id)
            .limit(1)
        )
        return found is not None
