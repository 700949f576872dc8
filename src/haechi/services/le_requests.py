"""Law-enforcement requests: police submit, a regulator verifies held ones, the platform answers.

Tenancy: a request is visible to the police organisation that submitted it and — once verified —
to the platform it is addressed to; to nobody else (404). A held or rejected request does not
exist for the platform: it cannot read, answer or download anything of it, so an unverified
requester gets no data. Regulators (`le:verify`) see the held queue and decide. Every action is
audited in the unit of work that makes it; webhooks go through the outbox in the same transaction.
Emergency requests are paged at once: a webhook, and an e-mail to the platform's agents sent after
the commit (a mail failure is audited, never undoes the request).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.le_requests import (
    Attachment,
    LeRequestDraft,
    Requester,
    Status,
    Verification,
    email_domain,
)
from haechi.domain.le_responses import LeRequest, ResponseDraft, check_response, status_after
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.domain.webhooks import Event
from haechi.services.audit import record
from haechi.services.le_access import (
    as_signed_in,
    case_id_of,
    found,
    hold,
    is_verifier,
    platform_named,
    visible,
)
from haechi.services.le_paging import Dispatcher, Page, deliver, summary
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_le import NewLeRequest
from haechi.services.webhooks import enqueue

log = logging.getLogger(__name__)
MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_LIST = 500
LE_PERMISSIONS = (Permission.LE_REQUEST, Permission.LE_RESPOND, Permission.LE_VERIFY)


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


class LeRequestService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        blobs: BlobStore,
        dispatcher: Dispatcher,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._blobs = blobs
        self._dispatch = dispatcher
        self._now = now

    # -- police --------------------------------------------------------------------------------
    def submit(
        self, principal: Principal, draft: LeRequestDraft, attachment: Upload | None = None
    ) -> LeRequest:
        """File a request; held for verification unless the officer's domain is registered."""
        principal.require(Permission.LE_REQUEST)
        if principal.org_kind is not OrgKind.POLICE:
            raise Forbidden("only police organisations submit law-enforcement requests")
        draft = draft.checked()
        stored = self._store(attachment)
        now = self._now()
        with self._uow() as uow:
            draft = as_signed_in(uow, principal, draft)
            platform_id = platform_named(uow, draft.platform)
            verified = email_domain(draft.officer_email) in uow.le_requests.domains(
                principal.org_id
            )
            request = uow.le_requests.add(
                NewLeRequest(
                    draft=draft,
                    police_org_id=principal.org_id,
                    platform_org_id=platform_id,
                    verification=Verification.VERIFIED if verified else Verification.HELD,
                    submitted_at=now,
                    received_at=now if verified else None,
                    due_at=draft.policy.due_times(now).act_due_at if verified else None,
                    case_id=case_id_of(uow, principal, draft.case_number),
                    attachment=stored,
                    preservation=hold(draft.type, now) if verified else None,
                )
            )
            detail = {"type": request.type.value, "platform": platform_id, "held": not verified}
            record(uow, principal, "le_request.submit", "le_request", request.id, **detail)
            page = deliver(uow, request, now) if verified else None
        self._dispatch.after(page)
        return request

    def _store(self, upload: Upload | None) -> Attachment | None:
        if upload is None:
            return None
        if not upload.data or len(upload.data) > MAX_ATTACHMENT:
            raise InvalidInput(f"the legal document must be 1 byte to {MAX_ATTACHMENT} bytes")
        key, _new = self._blobs.put(upload.data)
        name = upload.filename.strip()[:200] or "document"
        return Attachment(key, name, upload.content_type[:100], len(upload.data))

    # -- reading -------------------------------------------------------------------------------
    def list_requests(
        self, principal: Principal, *, open_only: bool = False, limit: int = 100
    ) -> list[LeRequest]:
        """Police: what they submitted. Platforms: verified requests to them. Regulators: the
        held queue."""
        limit = min(max(limit, 1), MAX_LIST)
        with self._uow() as uow:
            store = uow.le_requests
            if principal.can(Permission.LE_REQUEST) and principal.org_kind is OrgKind.POLICE:
                found = store.list_for_police(principal.org_id, open_only=open_only, limit=limit)
            elif principal.can(Permission.LE_RESPOND) and principal.org_kind is OrgKind.PLATFORM:
                found = store.list_for_platform(principal.org_id, open_only=open_only, limit=limit)
            elif is_verifier(principal):
                found = store.list_held(limit=limit)
            else:
                raise Forbidden("this action needs a law-enforcement request permission")
            record(uow, principal, "le_request.list", "le_request", "-", count=len(found))
        return found

    def get(self, principal: Principal, request_id: int) -> tuple[LeRequest, Requester]:
        """One request and its requester's history across the instance."""
        with self._uow() as uow:
            request = visible(uow, principal, request_id)
            counts = uow.le_requests.requester_counts(request.officer_email)
            record(uow, principal, "le_request.read", "le_request", request_id)
        return request, Requester(request.officer_email, counts)

    def attachment(self, principal: Principal, request_id: int) -> tuple[Attachment, bytes]:
        with self._uow() as uow:
            request = visible(uow, principal, request_id)
            if request.attachment is None:
                raise NotFound("this request has no attached document")
            record(uow, principal, "le_request.attachment", "le_request", request_id)
        return request.attachment, self._blobs.get(request.attachment.key)

    # -- the platform ----------------------------------------------------------------------------
    def respond(self, principal: Principal, request_id: int, draft: ResponseDraft) -> LeRequest:
        principal.require(Permission.LE_RESPOND)
        now = self._now()
        with self._uow() as uow:
            request = visible(uow, principal, request_id, lock=True)
            if principal.org_id != request.platform_org_id:
                raise Forbidden("only the platform a request is addressed to answers it")
            checked = check_response(request, draft)
            uow.le_requests.add_response(
                request_id, draft=checked, responder=principal.actor, at=now
            )
            status = status_after(checked.disposition)
            closed = None if status is Status.PARTIAL else now
            uow.le_requests.set_status(request_id, status, closed_at=closed)
            request = found(uow, request_id)
            record(
                uow,
                principal,
                "le_request.respond",
                "le_request",
                request_id,
                disposition=checked.disposition.value,
                records=len(checked.records),
                withheld=len(checked.withheld),
                late=bool(request.due_at and now > request.due_at),
            )
            data = summary(request)
            queued = enqueue(
                uow,
                org_id=request.police_org_id,
                event=Event.LE_REQUEST_ANSWERED,
                data=data,
                at=now,
            )
        self._dispatch.after(Page(queued, None))
        return request

    # -- police, later -----------------------------------------------------------------------------
    def renew(self, principal: Principal, request_id: int) -> LeRequest:
        """Extend a preservation hold by another 90 days (once)."""
        principal.require(Permission.LE_REQUEST)
        now = self._now()
        with self._uow() as uow:
            request = visible(uow, principal, request_id, lock=True)
            if principal.org_id != request.police_org_id:
                raise Forbidden("only the requesting police organisation renews a hold")
            if request.preservation is None:
                raise InvalidInput("only a verified preservation request can be renewed")
            renewed = request.preservation.renewed(now)
            uow.le_requests.set_preservation(request_id, renewed)
            record(
                uow,
                principal,
                "le_request.renew",
                "le_request",
                request_id,
                expires_at=renewed.expires_at,
            )
            return found(uow, request_id)
