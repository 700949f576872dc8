"""Hotline threads: one per case, between the organisations that take part in it.

Participation (see `domain.hotline`) is decided here from the case, its notices and the
law-enforcement requests citing it; an organisation outside it gets 404 exactly as for a case that
does not exist. Every read, post and read receipt is audited in the same unit of work, under the
case (`resource_type="case"`), so evidence packages carry the thread's history.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from haechi.domain.cases import Case, parse_case_number
from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.hotline import (
    MAX_ATTACHMENTS,
    AttachmentRef,
    Message,
    MessageDraft,
    Receipt,
    ReplyClock,
    Via,
    may_use_threads,
    reply_clocks,
)
from haechi.domain.le_requests import Verification
from haechi.domain.tenancy import Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore

DEFAULT_REPLY_HOURS = 24.0


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ThreadView:
    case: Case
    #: participant organisation id -> name
    participants: dict[int, str]
    messages: list[Message]
    receipts: list[Receipt]
    clocks: dict[int, ReplyClock]

    def readers(self, message_id: int) -> list[Receipt]:
        return [r for r in self.receipts if r.message_id == message_id]

    @property
    def overdue(self) -> list[ReplyClock]:
        return [c for c in self.clocks.values() if c.overdue]


def participants(uow: UnitOfWork, case: Case) -> set[int]:
    """Owner, orgs it is shared with, platforms sent a notice for it, and police (with the
    platforms they asked, once verified) whose requests cite it."""
    orgs = {case.owner_org_id, *case.shared_with}
    for notice_id in uow.hotline.notice_ids_for_case(case.id):
        notice = uow.notices.get(notice_id)
        if notice is not None:
            orgs |= {notice.from_org_id, notice.to_org_id}
    for request in uow.le_requests.list_for_case(case.id):
        orgs.add(request.police_org_id)
        if request.verification is Verification.VERIFIED:
            orgs.add(request.platform_org_id)
    return orgs


def store_files(blobs: BlobStore, files: Sequence[Upload]) -> tuple[list[AttachmentRef], list[str]]:
    """Put files in the blob store; returns their references and the keys that were new."""
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"at most {MAX_ATTACHMENTS} attachments per message")
    refs, new = [], []
    for f in files:
        key, created = blobs.put(f.data)
        refs.append(AttachmentRef(key, f.filename[:200], f.content_type[:100], len(f.data)))
        if created:
            new.append(key)
    return refs, new


class HotlineService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        reply_hours: float = DEFAULT_REPLY_HOURS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._blobs = blobs
        self._reply_hours = reply_hours
        self._now = now

    def thread(self, principal: Principal, number: str) -> ThreadView:
        with self._uow() as uow:
            case, orgs = self._joined(uow, principal, number)
            view = self._view(uow, case, orgs)
            record(uow, principal, "hotline.read", "case", case.number, messages=len(view.messages))
        return view

    def post(
        self, principal: Principal, number: str, draft: MessageDraft, files: Sequence[Upload] = ()
    ) -> Message:
        draft = draft.checked()
        refs, new = store_files(self._blobs, files)
        try:
            with self._uow() as uow:
                case, orgs = self._joined(uow, principal, number)
                if draft.to_org_id is not None and draft.to_org_id not in orgs:
                    raise InvalidInput("a message can only be addressed to a participant")
                now = self._now()
                message = uow.hotline.add_message(
                    case_id=case.id,
                    from_org_id=principal.org_id,
                    author=principal.actor,
                    draft=draft,
                    via=Via.WEB,
                    at=now,
                    reply_due_at=self._due(draft, now),
                    attachments=refs,
                )
                detail = {"message": message.id, "to_org": draft.to_org_id, "files": len(refs)}
                record(uow, principal, "hotline.post", "case", case.number, **detail)
        except BaseException:
            for key in new:
                self._blobs.delete(key)
            raise
        return message

    def mark_read(
        self, principal: Principal, number: str, message_ids: Sequence[int] | None = None
    ) -> int:
        """Read receipts for the given messages (all of the thread's when none are given)."""
        with self._uow() as uow:
            case, _orgs = self._joined(uow, principal, number)
            known = {m.id for m in uow.hotline.messages(case.id)}
            wanted = list(known) if message_ids is None else list(message_ids)
            unknown = sorted(set(wanted) - known)
            if unknown:
                raise NotFound(f"no message(s) {unknown} in this thread")
            count = uow.hotline.mark_read(
                message_ids=sorted(wanted),
                org_id=principal.org_id,
                reader=principal.actor,
                at=self._now(),
            )
            record(uow, principal, "hotline.mark_read", "case", case.number, new=count)
        return count

    def attachment(self, principal: Principal, number: str, sha256: str) -> tuple[bytes, str, str]:
        """An attachment's bytes, type and name; audited as `hotline.attachment`."""
        with self._uow() as uow:
            case, _orgs = self._joined(uow, principal, number)
            refs = [a for m in uow.hotline.messages(case.id) for a in m.attachments]
            ref = next((a for a in refs if a.sha256 == sha256), None)
            if ref is None:
                raise NotFound("no such attachment in this thread")
            record(uow, principal, "hotline.attachment", "case", case.number, sha256=sha256)
        return self._blobs.get(sha256), ref.content_type, ref.filename

    # -- helpers ----------------------------------------------------------------------------------
    def _due(self, draft: MessageDraft, now: float) -> float | None:
        if draft.to_org_id is None:
            return None
        return now + 3600.0 * (draft.reply_within_h or self._reply_hours)

    def _joined(self, uow: UnitOfWork, principal: Principal, number: str) -> tuple[Case, set[int]]:
        if not may_use_threads(principal):
            raise Forbidden("your roles give no access to case threads")
        case = uow.cases.get_case(parse_case_number(number))
        orgs = participants(uow, case) if case is not None else set()
        if case is None or principal.org_id not in orgs:
            raise NotFound(f"case {number} not found")
        return case, orgs

    def _view(self, uow: UnitOfWork, case: Case, orgs: set[int]) -> ThreadView:
        names = {o.id: o.name for o in uow.tenancy.list_orgs() if o.id in orgs}
        messages = uow.hotline.messages(case.id)
        return ThreadView(
            case=case,
            participants=names,
            messages=messages,
            receipts=uow.hotline.receipts(case.id),
            clocks=reply_clocks(messages, self._now()),
        )
