"""The review queue: triage, case pages, media, decisions and their statements of reasons.

Scoping is by tenant: an organisation sees the cases it owns and cases shared with it, and a case
it cannot see answers 404 exactly as a case that does not exist. Only the owner decides and shares.
Every read of media, every decision and every export of a statement of reasons is audited in the
same transaction as the action, so one never commits without the other. Confirming an item can add
its hashes to a bank in that same transaction (`BankService.add_content_in`); the matcher refreshes
after the commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from haechi.domain.cases import (
    UNDECIDED,
    Case,
    CaseItem,
    CaseSummary,
    ItemStatus,
    Report,
    case_status_for,
    parse_case_number,
)
from haechi.domain.decisions import (
    Decision,
    Outcome,
    check_outcome,
    sor_defaults,
    statement_for,
)
from haechi.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from haechi.domain.reports import MAX_TEXT, text_field
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.banks import BankService
from haechi.services.ports import NewContent, UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore

MAX_QUEUE = 500
_STATUS_AFTER = {
    Outcome.CONFIRM_ILLEGAL: ItemStatus.CONFIRMED_ILLEGAL,
    Outcome.NOT_ILLEGAL: ItemStatus.NOT_ILLEGAL,
    Outcome.ESCALATE: ItemStatus.ESCALATED,
}


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    reports: list[Report]
    items: list[CaseItem]
    decisions: list[Decision]

    def report_of(self, item: CaseItem) -> Report:
        return next(r for r in self.reports if r.id == item.report_id)

    def summary(self) -> CaseSummary:
        return CaseSummary(
            case=self.case,
            reporter_kinds=tuple(sorted({r.fields.reporter_kind for r in self.reports})),
            items=len(self.items),
            undecided=sum(i.status in UNDECIDED for i in self.items),
            matched=any(i.evidence for i in self.items),
        )


@dataclass(frozen=True, slots=True)
class DecisionInput:
    outcome: str
    bank: str | None = None
    note: str | None = None
    #: statement-of-reasons fields given explicitly; the rest come from `sor_defaults`
    statement: dict[str, Any] = field(default_factory=dict)


class ReviewService:
    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, banks: BankService, blobs: BlobStore
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._blobs = blobs

    def queue(
        self, principal: Principal, *, limit: int = 100, include_closed: bool = False
    ) -> list[CaseSummary]:
        principal.require(Permission.CASES_READ)
        if not 1 <= limit <= MAX_QUEUE:
            raise InvalidInput(f"limit must be between 1 and {MAX_QUEUE}")
        with self._uow() as uow:
            return uow.cases.queue(
                org_id=principal.org_id, limit=limit, include_closed=include_closed
            )

    def case(self, principal: Principal, number: str) -> CaseView:
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            return self._view(uow, principal, number)

    def media(self, principal: Principal, number: str, item_id: int) -> tuple[bytes, str]:
        """An item's uploaded file and its type; audited as `media.read`."""
        principal.require(Permission.MEDIA_REVEAL)
        with self._uow() as uow:
            view = self._view(uow, principal, number)
            item = _item(view, item_id)
            if item.media_key is None or item.media_type is None:
                raise NotFound("this item has no media")
            data = self._blobs.get(item.media_key)
            record(uow, principal, "media.read", "case", view.case.number, item=item.id)
        return data, item.media_type

    def record_reveal(self, principal: Principal, number: str, item_id: int) -> CaseItem:
        """A moderator chose to see an item unblurred; audited as `media.reveal`."""
        principal.require(Permission.MEDIA_REVEAL)
        with self._uow() as uow:
            view = self._view(uow, principal, number)
            item = _item(view, item_id)
            if item.media_key is None:
                raise NotFound("this item has no media")
            record(uow, principal, "media.reveal", "case", view.case.number, item=item.id)
        return item

    def decide(
        self, principal: Principal, number: str, item_id: int, given: DecisionInput
    ) -> Decision:
        principal.require(Permission.DECISIONS_WRITE)
        outcome = check_outcome(given.outcome)
        note = text_field(given.note, "note", limit=MAX_TEXT)
        if outcome is not Outcome.CONFIRM_ILLEGAL and not note:
            raise InvalidInput("note is required: say why the item is not illegal or escalated")
        if given.bank and outcome is not Outcome.CONFIRM_ILLEGAL:
            raise InvalidInput("only a confirmation adds an item to a bank")
        if given.bank:
            principal.require(Permission.BANKS_WRITE)
        now = time.time()
        with self._uow() as uow:
            view = self._owned(uow, principal, number)
            item = _item(view, item_id)
            if item.status not in UNDECIDED:
                raise Conflict(f"item {item.id} is already decided ({item.status.value})")
            sor = self._statement(view, item, outcome, given.statement, now, _routed(uow, item))
            content_id = self._bank(uow, view.case, item, given.bank)
            decision = self._store(uow, principal, view, item, outcome, sor, given, content_id, now)
            detail: dict[str, object] = {
                "item": item.id,
                "outcome": outcome.value,
                "decision": decision.id,
            }
            if content_id is not None:
                detail |= {"bank": given.bank, "content_id": content_id}
            record(uow, principal, "decision.create", "case", view.case.number, **detail)
        if content_id is not None:
            self._banks.changed()
        return decision

    def statement_of_reasons(
        self, principal: Principal, number: str, decision_id: int
    ) -> dict[str, Any]:
        """The decision's statement as DSA Transparency Database JSON; audited as an export."""
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            view = self._view(uow, principal, number)
            found = [d for d in view.decisions if d.id == decision_id]
            if not found:
                raise NotFound(f"decision {decision_id} not found in this case")
            if found[0].statement_of_reasons is None:
                raise Conflict("only a confirmation carries a statement of reasons")
            record(
                uow, principal, "decision.export", "case", view.case.number, decision=decision_id
            )
            return dict(found[0].statement_of_reasons)

    def share(self, principal: Principal, number: str, org_name: str) -> Case:
        principal.require(Permission.CASES_WRITE)
        with self._uow() as uow:
            case = self._owned(uow, principal, number).case
            org = uow.tenancy.get_org_by_name(org_name)
            if org is None:
                raise NotFound(f"organisation '{org_name}' not found")
            if org.id == case.owner_org_id:
                raise InvalidInput("a case is always visible to its owner")
            shared = replace(case, shared_with=case.shared_with | {org.id}, updated_at=time.time())
            uow.cases.update_case(shared)
            record(uow, principal, "case.share", "case", case.number, org=org.id)
        return shared

    # -- helpers ----------------------------------------------------------------------------------
    def _view(self, uow: UnitOfWork, principal: Principal, number: str) -> CaseView:
        case = uow.cases.get_case(parse_case_number(number))
        if case is None or not case.visible_to(principal.org_id):
            raise NotFound(f"case {number} not found")
        return CaseView(
            case=case,
            reports=uow.cases.reports(case.id),
            items=uow.cases.items(case.id),
            decisions=uow.cases.decisions(case.id),
        )

    def _owned(self, uow: UnitOfWork, principal: Principal, number: str) -> CaseView:
        view = self._view(uow, principal, number)
        if view.case.owner_org_id != principal.org_id:
            raise Forbidden("only the organisation that owns a case decides on it or shares it")
        return view

    def _statement(
        self,
        view: CaseView,
        item: CaseItem,
        outcome: Outcome,
        given: dict[str, Any],
        now: float,
        routed: bool = False,
    ) -> dict[str, Any] | None:
        defaults = sor_defaults(
            puid=f"{view.case.number}-{item.id}",
            reporter_kind=view.report_of(item).fields.reporter_kind,
            matched=bool(item.evidence) or routed,
            reported_at=item.created_at,
            decided_at=now,
        )
        explicit = {k: v for k, v in given.items() if v not in (None, "", [])}
        return statement_for(outcome, defaults | explicit)

    def _bank(self, uow: UnitOfWork, case: Case, item: CaseItem, bank: str | None) -> int | None:
        if not bank:
            return None
        if not item.signals:
            raise InvalidInput("this item has no hashes to add to a bank (a URL or a chat link)")
        content = self._banks.add_content_in(
            uow,
            bank,
            NewContent(
                # a reported video's vPDQ: the item holds its fingerprint, the bank the whole hash
                signals=uow.videos.item_values(item.signals),
                note=f"{case.number} item {item.id}",
                metadata={"case": case.number, "item": item.id},
                original_media_uri=item.url,
                source=f"case:{case.number}",
            ),
        )
        return content.id

    def _store(
        self,
        uow: UnitOfWork,
        principal: Principal,
        view: CaseView,
        item: CaseItem,
        outcome: Outcome,
        sor: dict[str, Any] | None,
        given: DecisionInput,
        content_id: int | None,
        now: float,
    ) -> Decision:
        status = _STATUS_AFTER[outcome]
        uow.cases.update_item(
            replace(item, status=status, bank_content_id=content_id or item.bank_content_id)
        )
        statuses = [status if i.id == item.id else i.status for i in view.items]
        uow.cases.update_case(replace(view.case, status=case_status_for(statuses), updated_at=now))
        return uow.cases.add_decision(
            Decision(
                id=0,
                case_id=view.case.id,
                item_id=item.id,
                org_id=principal.org_id,
                actor=principal.actor,
                outcome=outcome,
                created_at=now,
                statement_of_reasons=sor,
                bank_name=given.bank if content_id is not None else None,
                bank_content_id=content_id,
                note=text_field(given.note, "note", limit=MAX_TEXT),
            )
        )


def _routed(uow: UnitOfWork, item: CaseItem) -> bool:
    """A detector routing rule picked the item out: automated means helped detect it (DSA)."""
    return any(h.item_id == item.id for h in uow.detections.hits_for_case(item.case_id))


def _item(view: CaseView, item_id: int) -> CaseItem:
    for item in view.items:
        if item.id == item_id:
            return item
    raise NotFound(f"item {item_id} not found in case {view.case.number}")
