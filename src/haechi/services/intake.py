"""Report intake: check a report, hash its uploads, match them, and file it in a case.

Everything that can fail (field checks, hashing, unknown signal types, malformed hashes) happens
before the transaction opens, so a bad report writes nothing. Uploaded media go to the blob store
(by SHA-256) just before the commit; if the transaction fails, blobs it created are removed again.

Who owns a new case: the submitting organisation when a report comes with an organisation's token;
otherwise the recipient the report names (a regulator or victim-support centre), or else the
instance's first regulator. Dedup: an item whose hash is already in one of the owner's open cases
(the same md5/sha256/pdq, or a PDQ within the signal type's default threshold) joins the oldest such
case instead of opening a new one. Dedup never crosses owners, so no tenant's report lands in a
case it cannot see.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from haechi.domain.audit import AuditRecord
from haechi.domain.cases import (
    Case,
    CaseItem,
    ItemStatus,
    MatchEvidence,
    Priority,
    new_pin,
    triage_priority,
)
from haechi.domain.credentials import hash_password
from haechi.domain.errors import InvalidInput, NotReady
from haechi.domain.reports import (
    MAX_ITEMS,
    RECIPIENT_KINDS,
    ItemKind,
    ReportFields,
    check_report,
)
from haechi.domain.signals import SignalRegistry
from haechi.domain.tenancy import OrgKind, Principal
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService
from haechi.services.intake_items import PreparedItem, Upload, prepare_item
from haechi.services.lookup import LookupOptions, LookupService
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore

__all__ = ["IntakeService", "ItemInput", "Receipt", "ReportInput", "Upload"]


@dataclass(frozen=True, slots=True)
class ItemInput:
    kind: str
    url: str | None = None
    chat_link: str | None = None
    signals: dict[str, Any] = field(default_factory=dict)
    upload: Upload | None = None


@dataclass(frozen=True, slots=True)
class ReportInput:
    #: reporter_kind, channel, platform, room, description, explanation, exact_location, contact,
    #: good_faith — as received; checked by `domain.reports.check_report`
    fields: dict[str, Any]
    items: list[ItemInput]
    #: name of the organisation a public report is addressed to (default: the first regulator)
    recipient: str | None = None
    #: the public guard's verdict on the source (many pictures today); marks, never decides
    bulk_source: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    case_number: str
    #: shown once; only its hash is stored
    pin: str
    report_id: int
    attached: bool
    evidence: list[list[MatchEvidence]]
    low_quality: list[list[str]]


#: runs in a report's transaction with its case and report id (detection queues jobs there)
FiledHook = Callable[[UnitOfWork, Case, int], object]


class IntakeService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        registry: SignalRegistry,
        hashing: HashingService,
        lookup: LookupService,
        banks: BankService,
        blobs: BlobStore,
        on_filed: FiledHook | None = None,
        after_filed: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._on_filed = on_filed
        self._after_filed = after_filed
        self._registry = registry
        self._hashing = hashing
        self._lookup = lookup
        self._banks = banks
        self._blobs = blobs

    def submit(self, report: ReportInput, principal: Principal | None = None) -> Receipt:
        fields = check_report(report.fields, principal.org_kind if principal else None)
        fields = replace(fields, bulk_source=report.bulk_source)
        if not report.items:
            raise InvalidInput("a report needs at least one item (a file, URL, hash or chat link)")
        if len(report.items) > MAX_ITEMS:
            raise InvalidInput(f"a report may hold at most {MAX_ITEMS} items")
        actor = principal.actor if principal else "public"
        prepared = [self._prepare(item, actor) for item in report.items]
        pin = new_pin()
        pin_hash = hash_password(pin)
        created: list[str] = []
        try:
            with self._uow() as uow:
                case, attached = self._file(uow, fields, prepared, report.recipient, principal)
                report_id = self._write(uow, case, fields, prepared, pin_hash, principal, created)
                if self._on_filed is not None:
                    self._on_filed(uow, case, report_id)
                _audit(uow, actor, case, "report.submit", report_id, len(prepared), attached)
        except BaseException:
            self._forget(created)
            raise
        if self._after_filed is not None:
            self._after_filed()
        return Receipt(
            case_number=case.number,
            pin=pin,
            report_id=report_id,
            attached=attached,
            evidence=[p.evidence for p in prepared],
            low_quality=[p.low_quality for p in prepared],
        )

    # -- before the transaction -------------------------------------------------------------------
    def _prepare(self, item: ItemInput, actor: str) -> PreparedItem:
        try:
            kind = ItemKind(item.kind)
        except ValueError:
            raise InvalidInput(f"item kind must be one of {[k.value for k in ItemKind]}") from None
        prepared = prepare_item(
            kind,
            url=item.url,
            chat_link=item.chat_link,
            signals=item.signals,
            upload=item.upload,
            hashing=self._hashing,
            banks=self._banks,
        )
        options = LookupOptions(bypass_coinflip=True, requester=actor, route="intake")
        for signal_type, value in prepared.matchable().items():
            for hit in self._lookup.lookup_signal(signal_type, value, options):
                prepared.evidence.append(
                    MatchEvidence(hit.bank_name, hit.content_id, signal_type, hit.distance)
                )
        return prepared

    # -- inside the transaction -------------------------------------------------------------------
    def _owner(self, uow: UnitOfWork, recipient: str | None, principal: Principal | None) -> int:
        if principal is not None:
            return principal.org_id
        if recipient:
            org = uow.tenancy.get_org_by_name(recipient)
            if org is None or org.kind not in RECIPIENT_KINDS:
                raise InvalidInput("recipient must name a regulator or victim-support organisation")
            return org.id
        regulators = [o for o in uow.tenancy.list_orgs() if o.kind is OrgKind.REGULATOR]
        if not regulators:
            raise NotReady("this instance has no regulator organisation to receive reports yet")
        return regulators[0].id

    def _file(
        self,
        uow: UnitOfWork,
        fields: ReportFields,
        prepared: list[PreparedItem],
        recipient: str | None,
        principal: Principal | None,
    ) -> tuple[Case, bool]:
        """The case this report goes to: an existing open case with the same material, or a
        new one. Returns (case, attached to an existing case)."""
        owner = self._owner(uow, recipient, principal)
        matched = any(p.evidence for p in prepared)
        priority = triage_priority(fields.reporter_kind, matched=matched)
        now = time.time()
        existing = self._duplicate_of(uow, owner, prepared)
        if existing is None:
            return uow.cases.create_case(owner_org_id=owner, priority=priority, now=now), False
        case = replace(
            existing, priority=Priority(min(existing.priority, priority)), updated_at=now
        )
        uow.cases.update_case(case)
        return case, True

    def _duplicate_of(
        self, uow: UnitOfWork, owner: int, prepared: list[PreparedItem]
    ) -> Case | None:
        candidates: set[int] = set()
        near: dict[str, list[tuple[int, str]]] = {}
        for item in prepared:
            for signal_type, value in item.matchable().items():
                candidates.update(
                    uow.cases.open_cases_with(
                        owner_org_id=owner, signal_type=signal_type, value=value
                    )
                )
                st = self._registry.signal_type(signal_type)
                if st.default_threshold == 0:
                    continue
                if signal_type not in near:
                    near[signal_type] = uow.cases.open_signals(
                        owner_org_id=owner, signal_type=signal_type
                    )
                candidates.update(
                    case_id
                    for case_id, other in near[signal_type]
                    if st.matches(value, other, st.default_threshold)
                )
        if not candidates:
            return None
        return uow.cases.get_case_by_id(min(candidates))

    def _write(
        self,
        uow: UnitOfWork,
        case: Case,
        fields: ReportFields,
        prepared: list[PreparedItem],
        pin_hash: str,
        principal: Principal | None,
        created: list[str],
    ) -> int:
        now = time.time()
        submitted_by = principal.org_id if principal else None
        report = uow.cases.add_report(
            case.id, fields, pin_hash=pin_hash, submitted_by=submitted_by, now=now
        )
        for item in prepared:
            media_key = None
            if item.data is not None:
                media_key, new = self._blobs.put(item.data)
                if new:
                    created.append(media_key)
            uow.cases.add_item(
                CaseItem(
                    id=0,
                    case_id=case.id,
                    report_id=report.id,
                    kind=item.kind,
                    status=ItemStatus.PENDING,
                    created_at=now,
                    url=item.url,
                    chat_link=item.chat_link,
                    signals=item.signals,
                    media_key=media_key,
                    media_type=item.media_type,
                    evidence=tuple(item.evidence),
                )
            )
        return report.id

    def _forget(self, keys: list[str]) -> None:
        """Remove blobs a failed transaction created, unless something committed since uses them."""
        if not keys:
            return
        with self._uow() as uow:
            unused = [k for k in keys if uow.cases.media_references(k) == 0]
        for key in unused:
            self._blobs.delete(key)


def _audit(
    uow: UnitOfWork,
    actor: str,
    case: Case,
    action: str,
    report_id: int,
    items: int,
    attached: bool,
) -> None:
    uow.audit.append(
        AuditRecord(
            actor=actor,
            action=action,
            resource_type="case",
            resource_id=case.number,
            org_id=case.owner_org_id,
            detail={"report": report_id, "items": items, "attached": attached},
        )
    )
