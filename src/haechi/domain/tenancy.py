"""Tenants, people and what each role may do.

Every organisation is a tenant: a regulator (e.g. KCSC), a victim-support centre, a police unit, a
platform (Telegram, Signal, …) or a trusted flagger. A principal — a signed-in user or an API
token — acts for exactly one organisation with a set of roles. Permissions are granted to roles
here, in one table, so that the tenancy test matrix and the code read the same source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from haechi.domain.errors import Forbidden, InvalidInput


class OrgKind(StrEnum):
    REGULATOR = "regulator"
    VICTIM_SUPPORT = "victim_support"
    POLICE = "police"
    PLATFORM = "platform"
    TRUSTED_FLAGGER = "trusted_flagger"


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    MODERATOR = "moderator"
    INVESTIGATOR = "investigator"
    PLATFORM_AGENT = "platform_agent"
    AUDITOR = "auditor"


class Permission(StrEnum):
    REPORTS_READ = "reports:read"
    REPORTS_TRIAGE = "reports:triage"
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    MEDIA_REVEAL = "media:reveal"
    DECISIONS_WRITE = "decisions:write"
    NOTICES_SEND = "notices:send"
    NOTICES_READ = "notices:read"
    NOTICES_RESPOND = "notices:respond"
    BANKS_WRITE = "banks:write"
    AUDIT_READ = "audit:read"
    ORG_ADMIN = "org:admin"
    #: police: submit law-enforcement requests and read their own
    LE_REQUEST = "le:request"
    #: platforms: read verified requests addressed to them and answer them
    LE_RESPOND = "le:respond"
    #: regulators (instance admins): verify or reject held requests, register police domains
    LE_VERIFY = "le:verify"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {
            Permission.REPORTS_READ,
            Permission.REPORTS_TRIAGE,
            Permission.CASES_READ,
            Permission.CASES_WRITE,
            Permission.MEDIA_REVEAL,
            Permission.DECISIONS_WRITE,
            Permission.NOTICES_SEND,
            Permission.NOTICES_READ,
            Permission.BANKS_WRITE,
        }
    ),
    Role.MODERATOR: frozenset(
        {
            Permission.REPORTS_READ,
            Permission.CASES_READ,
            Permission.MEDIA_REVEAL,
            Permission.DECISIONS_WRITE,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {Permission.CASES_READ, Permission.REPORTS_READ, Permission.LE_REQUEST}
    ),
    Role.PLATFORM_AGENT: frozenset(
        {Permission.NOTICES_READ, Permission.NOTICES_RESPOND, Permission.LE_RESPOND}
    ),
    Role.AUDITOR: frozenset(
        {Permission.AUDIT_READ, Permission.CASES_READ, Permission.NOTICES_READ}
    ),
}


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    kind: OrgKind
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a user or a token, for one organisation, with roles."""

    org_id: int
    org_kind: OrgKind
    roles: frozenset[Role]
    user_id: int | None = None
    token_id: int | None = None
    label: str = ""
    permissions: frozenset[Permission] = field(default=frozenset())

    @classmethod
    def of(
        cls,
        org: Organisation,
        roles: frozenset[Role],
        *,
        user_id: int | None = None,
        token_id: int | None = None,
        label: str = "",
    ) -> Principal:
        granted: set[Permission] = set()
        for role in roles:
            granted |= GRANTS[role]
        return cls(org.id, org.kind, roles, user_id, token_id, label, frozenset(granted))

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise Forbidden(f"this action needs the '{permission}' permission")

    @property
    def actor(self) -> str:
        """A stable, non-secret name for audit entries."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return self.label or "system"


def parse_roles(values: list[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(v) for v in values)
    except ValueError:
        raise InvalidInput(f"roles must be among {[r.value for r in Role]}") from None
