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
    #: the room map: rooms, posts, the graph, migration timelines (issue 8)
    ROOMS_READ = "rooms:read"
    #: tag rooms, link them to cases, import analysts' chat exports
    ROOMS_WRITE = "rooms:write"
    #: connectors: report what they observe in rooms (`POST /api/v1/rooms/observations`)
    ROOMS_OBSERVE = "rooms:observe"
    #: ISPs and platforms: poll the signed blocklists
    BLOCKLISTS_READ = "blocklists:read"
    #: regulators: add and remove blocklist entries
    BLOCKLISTS_WRITE = "blocklists:write"
    #: victim-support centres: enrol a consenting victim's face, list and withdraw enrolments
    FACES_ENROL = "faces:enrol"
    #: background jobs run for the organisation: progress, errors (regulator admins: all jobs)
    JOBS_READ = "jobs:read"
    #: retry dead-lettered jobs and cancel unfinished ones
    JOBS_MANAGE = "jobs:manage"
    #: a subscribing instance: read the feeds of banks granted to its organisation, send feedback
    EXCHANGE_READ = "exchange:read"
    #: grant banks to subscribers, configure sources, review imported hashes, read feedback
    EXCHANGE_ADMIN = "exchange:admin"
    #: routing rules that turn detector signals into review priority (issue 7)
    ROUTING_RULES_WRITE = "routing_rules:write"
    #: bulk scans of media stores (issue 6): runs, progress, matched files; regulators' only
    SCANS_READ = "scans:read"


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
            Permission.ROOMS_READ,
            Permission.ROOMS_WRITE,
            Permission.ROOMS_OBSERVE,
            Permission.BLOCKLISTS_READ,
            Permission.BLOCKLISTS_WRITE,
            Permission.FACES_ENROL,
            Permission.JOBS_READ,
            Permission.EXCHANGE_READ,
            Permission.EXCHANGE_ADMIN,
            Permission.ROUTING_RULES_WRITE,
        }
    ),
    Role.MODERATOR: frozenset(
        {
            Permission.REPORTS_READ,
            Permission.CASES_READ,
            Permission.MEDIA_REVEAL,
            Permission.DECISIONS_WRITE,
            Permission.JOBS_READ,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {
            Permission.CASES_READ,
            Permission.REPORTS_READ,
            Permission.LE_REQUEST,
            Permission.ROOMS_READ,
        }
    ),
    Role.PLATFORM_AGENT: frozenset(
        {
            Permission.NOTICES_READ,
            Permission.NOTICES_RESPOND,
            Permission.LE_RESPOND,
            Permission.ROOMS_OBSERVE,
            Permission.BLOCKLISTS_READ,
            Permission.EXCHANGE_READ,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Permission.AUDIT_READ,
            Permission.CASES_READ,
            Permission.NOTICES_READ,
            Permission.ROOMS_READ,
            Permission.BLOCKLISTS_READ,
        }
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
