"""The e-mail bridge: mail to `case+<number>@<domain>` becomes a message in the case's thread.

A message is accepted only when its sender belongs to a participant organisation: an active user
of that organisation with exactly that address, or (for police) an address in one of the police
organisation's registered e-mail domains. Anything else is refused and the refusal audited, with
the same answer whether the case does not exist or the sender is not a participant, so the bridge
never reveals which cases exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.audit import AuditRecord
from haechi.domain.errors import HaechiError
from haechi.domain.hotline import AttachmentRef, MessageDraft, Via
from haechi.domain.hotline_mail import InboundMail, parse_inbound
from haechi.domain.tenancy import OrgKind
from haechi.services.hotline import Upload, participants, store_files
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore

REFUSED = "no such case, or the sender does not take part in it"


@dataclass(frozen=True, slots=True)
class MailOutcome:
    accepted: bool
    reason: str = ""
    message_id: int | None = None


class HotlineMailService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        domain: str,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._blobs = blobs
        self.domain = domain
        self._now = now

    def accepts_recipient(self, recipient: str) -> bool:
        return recipient.strip().strip("<>").lower().endswith("@" + self.domain.lower())

    def receive(self, *, envelope_from: str, recipient: str, raw: bytes) -> MailOutcome:
        try:
            mail = parse_inbound(
                raw, envelope_from=envelope_from, recipient=recipient, domain=self.domain
            )
        except HaechiError as e:
            self._refuse(envelope_from, "-", e.message)
            return MailOutcome(False, e.message)
        files = [Upload(f.filename, f.content_type, f.data) for f in mail.files]
        refs, new = store_files(self._blobs, files)
        try:
            with self._uow() as uow:
                message_id = self._post(uow, mail, refs)
        except BaseException:
            for key in new:
                self._blobs.delete(key)
            raise
        if message_id is None:
            for key in new:
                self._blobs.delete(key)
            self._refuse(mail.sender, mail.case_number, REFUSED)
            return MailOutcome(False, REFUSED)
        return MailOutcome(True, message_id=message_id)

    def _post(self, uow: UnitOfWork, mail: InboundMail, refs: list[AttachmentRef]) -> int | None:
        case = uow.cases.get_case(mail.case_number)
        if case is None:
            return None
        sender = _sender(uow, mail.sender, participants(uow, case))
        if sender is None:
            return None
        org_id, author = sender
        body = f"{mail.subject}\n\n{mail.body}".strip() if mail.subject else mail.body
        message = uow.hotline.add_message(
            case_id=case.id,
            from_org_id=org_id,
            author=author,
            draft=MessageDraft(body or "(empty e-mail)"),
            via=Via.EMAIL,
            at=self._now(),
            reply_due_at=None,
            sender_email=mail.sender,
            attachments=refs,
        )
        uow.audit.append(
            AuditRecord(
                actor=author,
                action="hotline.email_accepted",
                resource_type="case",
                resource_id=case.number,
                org_id=org_id,
                detail={"message": message.id, "sender": mail.sender, "files": len(refs)},
            )
        )
        return message.id

    def _refuse(self, sender: str, case_number: str, reason: str) -> None:
        with self._uow() as uow:
            uow.audit.append(
                AuditRecord(
                    actor=f"email:{sender[:200]}",
                    action="hotline.email_refused",
                    resource_type="case",
                    resource_id=case_number,
                    detail={"sender": sender[:320], "reason": reason},
                )
            )


def _sender(uow: UnitOfWork, address: str, orgs: set[int]) -> tuple[int, str] | None:
    """(organisation, audit actor) of a participant sender, or None."""
    user = uow.tenancy.get_user_by_email(address)
    if user is not None:
        ok = user.active and user.org_id in orgs
        return (user.org_id, f"user:{user.id}") if ok else None
    domain = address.rpartition("@")[2].lower()
    for org_id in sorted(orgs):
        org = uow.tenancy.get_org(org_id)
        if org is None or org.kind is not OrgKind.POLICE:
            continue
        if domain in uow.le_requests.domains(org_id):
            return org_id, f"email:{address}"
    return None
