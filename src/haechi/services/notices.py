"""Takedown notices: a regulator sends, the addressed platform acknowledges and reports outcomes.

Tenancy: a notice is visible to the organisation that sent it and the platform it is addressed to,
and to nobody else (404, as if it did not exist). Only the addressed platform answers it — the
sender gets 403 when it tries to answer its own notice. Every read and write is audited in the
same unit of work as the action, and new notices / outcomes are queued as webhooks there too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from haechi.domain.audit import AuditRecord
from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.notices import (
    SENDER_KINDS,
    ItemKind,
    ItemOutcome,
    NewItem,
    Notice,
    NoticeDraft,
    check_outcomes,
)
from haechi.domain.signals import SignalRegistry
from haechi.domain.tenancy import Organisation, OrgKind, Permission, Principal
from haechi.domain.webhooks import Event
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.webhooks import enqueue

MAX_LIST = 500


def summary(notice: Notice) -> dict[str, Any]:
    """What a webhook says about a notice: ids, counts and clocks, never the items' values."""
    return {
        "notice_id": notice.id,
        "from": notice.from_org,
        "to": notice.to_org,
        "case_id": notice.case_id,
        "stage": notice.stage.value,
        "policy": notice.policy.name,
        "items": len(notice.items),
        "answered": notice.answered,
        "sent_at": notice.sent_at,
        "ack_due_at": notice.ack_due_at,
        "act_due_at": notice.act_due_at,
        "acknowledged_at": notice.acknowledged_at,
        "acted_at": notice.acted_at,
        "escalated_at": notice.escalated_at,
        "url": f"/api/v1/notices/{notice.id}",
    }


class NoticeService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        registry: SignalRegistry,
        now: Callable[[], float] = time.time,
        on_enqueue: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._now = now
        self._on_enqueue = on_enqueue

    # -- the sender ----------------------------------------------------------------------------
    def platforms(self, principal: Principal) -> list[Organisation]:
        """Organisations a notice can be addressed to (for the sender's form)."""
        principal.require(Permission.NOTICES_SEND)
        with self._uow() as uow:
            return [o for o in uow.tenancy.list_orgs() if o.kind is OrgKind.PLATFORM]

    def send(self, principal: Principal, draft: NoticeDraft) -> Notice:
        principal.require(Permission.NOTICES_SEND)
        if principal.org_kind not in SENDER_KINDS:
            raise Forbidden("only regulators and trusted flaggers send takedown notices")
        draft = self._canonical(draft.checked())
        now = self._now()
        with self._uow() as uow:
            platform = uow.tenancy.get_org_by_name(draft.platform)
            if platform is None or platform.kind is not OrgKind.PLATFORM:
                raise InvalidInput(f"no platform organisation named '{draft.platform}'")
            if draft.case_id is not None:
                case = uow.cases.get_case_by_id(draft.case_id)
                if case is None or not case.visible_to(principal.org_id):
                    raise NotFound(f"case {draft.case_id} not found")
            notice = uow.notices.add(
                from_org_id=principal.org_id,
                to_org_id=platform.id,
                draft=draft,
                sent_at=now,
                due=draft.policy.due_times(now),
            )
            record(
                uow,
                principal,
                "notice.send",
                "notice",
                notice.id,
                to_org=platform.id,
                items=len(notice.items),
                policy=draft.policy.name,
                case_id=draft.case_id,
            )
            event = Event.NOTICE_CREATED
            queued = enqueue(uow, org_id=platform.id, event=event, data=summary(notice), at=now)
        self._wake(queued)
        return notice

    def _canonical(self, draft: NoticeDraft) -> NoticeDraft:
        items = []
        for item in draft.items:
            if item.kind is ItemKind.HASH and item.signal_type is not None:
                value = self._registry.signal_type(item.signal_type).validate(item.value)
                items.append(NewItem(item.kind, value, item.signal_type))
            else:
                items.append(item)
        return NoticeDraft(
            platform=draft.platform,
            legal_ground=draft.legal_ground,
            policy=draft.policy,
            items=tuple(dict.fromkeys(items)),
            case_id=draft.case_id,
            note=draft.note,
        )

    # -- reading ---------------------------------------------------------------------------------
    def list_notices(
        self, principal: Principal, *, open_only: bool = False, limit: int = 100
    ) -> list[Notice]:
        """Notices the caller's organisation sent or received, newest first."""
        principal.require(Permission.NOTICES_READ)
        limit = min(max(limit, 1), MAX_LIST)
        with self._uow() as uow:
            found = uow.notices.list_for_org(principal.org_id, open_only=open_only, limit=limit)
            record(uow, principal, "notice.list", "notice", "-", count=len(found))
        return found

    def get(self, principal: Principal, notice_id: int) -> Notice:
        principal.require(Permission.NOTICES_READ)
        with self._uow() as uow:
            notice = _visible(uow, principal, notice_id)
            record(uow, principal, "notice.read", "notice", notice_id)
        return notice

    # -- the addressed platform --------------------------------------------------------------
    def acknowledge(self, principal: Principal, notice_id: int) -> Notice:
        """Stop the acknowledgement clock (idempotent: a second call changes nothing)."""
        with self._uow() as uow:
            notice = _answerable(uow, principal, notice_id)
            first = notice.acknowledged_at is None
            queued = 0
            if first:
                now = self._now()
                uow.notices.set_clocks(notice_id, acknowledged_at=now, acted_at=None)
                notice = _found(uow, notice_id)
                event, to = Event.NOTICE_ACKNOWLEDGED, notice.from_org_id
                queued = enqueue(uow, org_id=to, event=event, data=summary(notice), at=now)
            record(uow, principal, "notice.acknowledge", "notice", notice_id, first=first)
        self._wake(queued)
        return notice

    def report_outcomes(
        self, principal: Principal, notice_id: int, outcomes: Sequence[ItemOutcome]
    ) -> Notice:
        """Record per-item outcomes, all or nothing; the act clock stops when every item has one."""
        checked = check_outcomes(outcomes)
        with self._uow() as uow:
            before = _answerable(uow, principal, notice_id, lock=True)
            ids = {o.item_id for o in checked}
            unknown = sorted(ids - {i.id for i in before.items})
            if unknown:
                raise NotFound(f"notice {notice_id} has no item(s) {unknown}")
            now = self._now()
            uow.notices.set_outcomes(notice_id, checked, now)
            answered = {i.id for i in before.items if i.outcome is not None} | ids
            uow.notices.set_clocks(
                notice_id,
                acknowledged_at=now if before.acknowledged_at is None else None,
                acted_at=now
                if before.acted_at is None and len(answered) == len(before.items)
                else None,
            )
            notice = _found(uow, notice_id)
            revised = sum(1 for i in before.items if i.outcome is not None and i.id in ids)
            counts = Counter(o.outcome.value for o in checked)
            record(
                uow, principal, "notice.outcomes", "notice", notice_id, revised=revised, **counts
            )
            data = summary(notice) | {
                "outcomes": [{"item_id": o.item_id, "outcome": o.outcome.value} for o in checked]
            }
            event, to = Event.NOTICE_OUTCOME, notice.from_org_id
            queued = enqueue(uow, org_id=to, event=event, data=data, at=now)
        self._wake(queued)
        return notice

    # -- escalation (background) ---------------------------------------------------------------
    def escalate_overdue(self, limit: int = 100) -> int:
        """Raise each notice left unanswered past its escalation time, once: audited, and a
        `notice.escalated` webhook to the sender. Returns how many were raised."""
        now = self._now()
        with self._uow() as uow:
            due = uow.notices.due_for_escalation(now, limit)
            queued = 0
            for notice in due:
                uow.notices.set_escalated(notice.id, now)
                entry = AuditRecord(
                    actor="system:sla",
                    action="notice.escalate",
                    resource_type="notice",
                    resource_id=str(notice.id),
                    org_id=notice.from_org_id,
                    detail={"overdue_s": round(now - notice.act_due_at)},
                )
                uow.audit.append(entry)
                data = summary(notice) | {"escalated_at": now}
                event, to = Event.NOTICE_ESCALATED, notice.from_org_id
                queued += enqueue(uow, org_id=to, event=event, data=data, at=now)
        self._wake(queued)
        return len(due)

    def _wake(self, queued: int) -> None:
        if queued and self._on_enqueue is not None:
            self._on_enqueue()


def _found(uow: UnitOfWork, notice_id: int) -> Notice:
    notice = uow.notices.get(notice_id)
    if notice is None:
        raise NotFound(f"notice {notice_id} not found")
    return notice


def _visible(uow: UnitOfWork, principal: Principal, notice_id: int, lock: bool = False) -> Notice:
    notice = uow.notices.get(notice_id, for_update=lock)
    if notice is None or principal.org_id not in (notice.from_org_id, notice.to_org_id):
        raise NotFound(f"notice {notice_id} not found")
    return notice


def _answerable(
    uow: UnitOfWork, principal: Principal, notice_id: int, *, lock: bool = False
) -> Notice:
    principal.require(Permission.NOTICES_RESPOND)
    notice = _visible(uow, principal, notice_id, lock)
    if principal.org_id != notice.to_org_id:
        raise Forbidden("only the platform a notice is addressed to can answer it")
    return notice
