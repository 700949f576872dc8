"""E-mail intake of regulators' notices: mail to the notice address becomes a takedown notice.

The sender must be an active user of a regulator or trusted-flagger organisation whose roles may
send notices; the notice is then sent exactly as if that user had filled in the form (the same
checks, audit entry and webhook to the platform). Anything else — an unknown or inactive sender,
a header that does not match the envelope, a malformed body — is refused with a 550 and audited.

Attachments: pictures are hashed (PDQ, MD5, …) and listed as hash items; every attachment's
SHA-256 and size go into the audit entry; no attachment's bytes are stored.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from haechi.domain.errors import HaechiError, InvalidInput
from haechi.domain.hotline_mail import MailFile
from haechi.domain.notice_mail import NoticeMail, address_matches, parse_notice_mail
from haechi.domain.notices import SENDER_KINDS, ItemKind, NewItem, NoticeDraft
from haechi.domain.sla import resolve_policy
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record, record_as
from haechi.services.hotline_mail import MailOutcome
from haechi.services.notices import NoticeService
from haechi.services.ports import UnitOfWorkFactory

REFUSED = "the sender may not send notices to this address"


class MediaHasher(Protocol):
    def hash_bytes(self, data: bytes, *, content_type: str) -> Any: ...


class NoticeMailService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        notices: NoticeService,
        hashing: MediaHasher,
        address: str,
    ) -> None:
        self._uow = uow_factory
        self._notices = notices
        self._hashing = hashing
        self.address = address

    def accepts_recipient(self, recipient: str) -> bool:
        return address_matches(recipient, self.address)

    def receive(self, *, envelope_from: str, recipient: str, raw: bytes) -> MailOutcome:
        if not self.accepts_recipient(recipient):
            return self._refuse(envelope_from, "not the notice address")
        try:
            mail = parse_notice_mail(raw, envelope_from=envelope_from)
        except HaechiError as e:
            return self._refuse(envelope_from, e.message)
        principal = self._sender(mail.sender)
        if principal is None:
            return self._refuse(mail.sender, REFUSED)
        try:
            draft, files = self._draft(principal, mail)
            notice = self._notices.send(principal, draft)
        except HaechiError as e:
            return self._refuse(mail.sender, e.message)
        with self._uow() as uow:
            record(
                uow, principal, "notice.email_accepted", "notice", notice.id,
                reference=mail.reference, subject=mail.subject, attachments=files,
            )  # fmt: skip
        return MailOutcome(True, message_id=notice.id)

    def _sender(self, address: str) -> Principal | None:
        with self._uow() as uow:
            user = uow.tenancy.get_user_by_email(address)
            if user is None or not user.active:
                return None
            org = uow.tenancy.get_org(user.org_id)
        if org is None or org.kind not in SENDER_KINDS:
            return None
        principal = Principal.of(org, user.roles, user_id=user.id, label=f"email:{address}")
        return principal if principal.can(Permission.NOTICES_SEND) else None

    def _draft(
        self, principal: Principal, mail: NoticeMail
    ) -> tuple[NoticeDraft, list[dict[str, Any]]]:
        items = [NewItem(ItemKind.URL, u) for u in mail.urls]
        items += [NewItem(ItemKind.MESSAGE_LINK, u) for u in mail.message_links]
        items += [NewItem(ItemKind.ROOM, u) for u in mail.rooms]
        items += [NewItem(ItemKind.HASH, v, t) for t, v in mail.hashes]
        files = []
        for f in mail.files:
            hashed = self._hash_file(f)
            items += [NewItem(ItemKind.HASH, v, t) for t, v in hashed.items()]
            digest = hashlib.sha256(f.data).hexdigest()
            files.append({"name": f.filename[:200], "sha256": digest, "bytes": len(f.data)})
        case_id = self._case_id(principal, mail.case) if mail.case else None
        note = f"Reference {mail.reference} (by e-mail from {mail.sender})"
        if mail.note:
            note += f": {mail.note}"
        draft = NoticeDraft(
            platform=mail.platform,
            legal_ground=mail.legal_ground,
            policy=resolve_policy(mail.policy),
            items=tuple(items),
            case_id=case_id,
            note=note,
        )
        return draft, files

    def _hash_file(self, file: MailFile) -> dict[str, str]:
        """Signals of a picture attachment; other attachments are only fingerprinted."""
        if not file.content_type.startswith("image/") or not file.data:
            return {}
        try:
            result = self._hashing.hash_bytes(file.data, content_type="photo")
        except HaechiError:
            return {}
        values: dict[str, str] = result.values()
        return values

    def _case_id(self, principal: Principal, number: str) -> int:
        with self._uow() as uow:
            case = uow.cases.get_case(number.strip().upper())
            if case is None or not case.visible_to(principal.org_id):
                raise InvalidInput(f"case {number[:40]} not found")
            return case.id

    def _refuse(self, sender: str, reason: str) -> MailOutcome:
        with self._uow() as uow:
            record_as(
                uow, f"email:{sender[:200]}", None, "notice.email_refused", "notice", "-",
                sender=sender[:320], reason=reason,
            )  # fmt: skip
        return MailOutcome(False, reason)
