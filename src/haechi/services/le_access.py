"""Who may see a law-enforcement request, and small lookups every LE use case shares.

A request exists for the police organisation that filed it, for the addressed platform once it
is verified, and for regulators (`le:verify`, the instance's verifiers); for anyone else it does
not exist (404). A caller without any LE permission gets 403 first.
"""

from __future__ import annotations

from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.le_requests import LeRequestDraft, Preservation, RequestType, Verification
from haechi.domain.le_responses import LeRequest
from haechi.domain.tenancy import OrgKind, Permission, Principal
from haechi.services.ports import UnitOfWork

LE_PERMISSIONS = (Permission.LE_REQUEST, Permission.LE_RESPOND, Permission.LE_VERIFY)


def is_verifier(principal: Principal) -> bool:
    return principal.can(Permission.LE_VERIFY) and principal.org_kind is OrgKind.REGULATOR


def hold(kind: RequestType, at: float) -> Preservation | None:
    return Preservation.starting(at) if kind is RequestType.PRESERVATION else None


def as_signed_in(uow: UnitOfWork, principal: Principal, draft: LeRequestDraft) -> LeRequestDraft:
    """A signed-in officer files as themselves: the officer e-mail is their account's."""
    if principal.user_id is None:
        return draft
    user = uow.tenancy.get_user(principal.user_id)
    if user is None or user.email.lower() != draft.officer_email:
        raise InvalidInput("the officer e-mail must be that of the signed-in account")
    return draft


def case_id_of(uow: UnitOfWork, principal: Principal, number: str | None) -> int | None:
    if number is None:
        return None
    case = uow.cases.get_case(number)
    if case is None or not case.visible_to(principal.org_id):
        raise NotFound(f"case {number} not found")
    return case.id


def found(uow: UnitOfWork, request_id: int) -> LeRequest:
    request = uow.le_requests.get(request_id)
    if request is None:
        raise NotFound(f"law-enforcement request {request_id} not found")
    return request


def visible(
    uow: UnitOfWork, principal: Principal, request_id: int, lock: bool = False
) -> LeRequest:
    if not any(principal.can(p) for p in LE_PERMISSIONS):
        raise Forbidden("this action needs a law-enforcement request permission")
    request = uow.le_requests.get(request_id, for_update=lock)
    if request is not None:
        police = principal.org_id == request.police_org_id and principal.can(Permission.LE_REQUEST)
        platform = (
            principal.org_id == request.platform_org_id
            and principal.can(Permission.LE_RESPOND)
            and request.verification is Verification.VERIFIED
        )
        if police or platform or is_verifier(principal):
            return request
    raise NotFound(f"law-enforcement request {request_id} not found")


def platform_named(uow: UnitOfWork, name: str) -> int:
    platform = uow.tenancy.get_org_by_name(name)
    if platform is None or platform.kind is not OrgKind.PLATFORM:
        raise InvalidInput(f"no platform organisation named '{name}'")
    return platform.id
