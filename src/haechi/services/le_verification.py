"""Requester verification: registered police e-mail domains, and the held-request decision.

A police organisation's admin (for its own organisation) or a regulator registers the e-mail
domains its officers write from. A request from any other domain is held; a regulator — the
instance's verifier (`le:verify`) — releases it to the platform, whose clock starts then, or
rejects it, and the platform never sees it. Every decision is audited and counts in the
requester's history that platforms see.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.le_requests import Verification, email_domain
from haechi.domain.le_responses import LeRequest
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.services.audit import record
from haechi.services.le_access import found, hold, is_verifier
from haechi.services.le_paging import Dispatcher, deliver
from haechi.services.ports import UnitOfWorkFactory


class LeVerificationService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        dispatcher: Dispatcher,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow_factory
        self._dispatch = dispatcher
        self._now = now

    def add_domain(self, principal: Principal, *, org: str, domain: str) -> list[str]:
        """Register a verified e-mail domain for a police organisation; returns its domains."""
        domain = email_domain(f"x@{domain}")
        with self._uow() as uow:
            police = uow.tenancy.get_org_by_name(org)
            if police is None or police.kind is not OrgKind.POLICE:
                raise NotFound(f"no police organisation named '{org}'")
            own = principal.org_id == police.id and principal.can(Permission.ORG_ADMIN)
            if not (own or is_verifier(principal)):
                raise Forbidden("the organisation's admin or a regulator registers its domains")
            if domain not in uow.le_requests.domains(police.id):
                uow.le_requests.add_domain(
                    org_id=police.id, domain=domain, by=principal.actor, at=self._now()
                )
            record(uow, principal, "le_domain.add", "organisation", police.id, domain=domain)
            return uow.le_requests.domains(police.id)

    def verify(
        self, principal: Principal, request_id: int, *, accept: bool, note: str = ""
    ) -> LeRequest:
        """Release a held request to the platform (its clock starts now), or reject it."""
        if not is_verifier(principal):
            raise Forbidden("only a regulator's admin verifies law-enforcement requests")
        now = self._now()
        with self._uow() as uow:
            request = uow.le_requests.get(request_id, for_update=True)
            if request is None:
                raise NotFound(f"law-enforcement request {request_id} not found")
            if request.verification is not Verification.HELD:
                raise InvalidInput(f"the request is already {request.verification}")
            uow.le_requests.set_verification(
                request_id,
                verification=Verification.VERIFIED if accept else Verification.REJECTED,
                by=principal.actor,
                received_at=now,
                due_at=request.policy.due_times(now).act_due_at if accept else None,
                preservation=hold(request.type, now) if accept else None,
            )
            request = found(uow, request_id)
            detail = {"accepted": accept, "note": note.strip()[:400]}
            record(uow, principal, "le_request.verify", "le_request", request_id, **detail)
            page = deliver(uow, request, now) if accept else None
        self._dispatch.after(page)
        return request
