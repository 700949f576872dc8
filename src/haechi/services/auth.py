"""Who is calling: API tokens and web sessions become principals; admins create tenants.

Every token use and every sign-in is audited. Secrets are shown once, when created, and stored only
as hashes.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from haechi.domain.credentials import hash_password, hash_token, new_token, verify_password
from haechi.domain.errors import InvalidInput, NotFound, Unauthorized
from haechi.domain.tenancy import Organisation, OrgKind, Principal, Role
from haechi.services.audit import record_as
from haechi.services.ports import UnitOfWorkFactory

SESSION_TTL_S = 12 * 3600
#: a resolved token is trusted this long before the database is asked again (revocation delay)
TOKEN_CACHE_S = 30.0


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf: str
    principal: Principal


class AuthService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory
        self._tokens: dict[str, tuple[Principal, float]] = {}

    # -- tenants ---------------------------------------------------------------------------------
    def create_org(self, name: str, kind: str, timezone: str = "UTC") -> Organisation:
        try:
            ZoneInfo(timezone)
            org_kind = OrgKind(kind)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("unknown organisation kind or time zone") from None
        if not name.strip():
            raise InvalidInput("organisation name is required")
        with self._uow() as uow:
            org = uow.tenancy.create_org(name.strip(), org_kind, timezone)
            record_as(uow, "system", org.id, "org.create", "organisation", org.id, kind=kind)
        return org

    def orgs(self) -> list[Organisation]:
        with self._uow() as uow:
            return uow.tenancy.list_orgs()

    def colleagues(self, org_id: int) -> dict[str, str]:
        """Audit actor label -> display name, for the people of one organisation only."""
        with self._uow() as uow:
            return {f"user:{u.id}": u.display_name for u in uow.tenancy.list_users(org_id)}

    def org(self, name: str) -> Organisation:
        with self._uow() as uow:
            org = uow.tenancy.get_org_by_name(name)
        if org is None:
            raise NotFound(f"organisation '{name}' not found")
        return org

    def create_user(
        self, *, org: str, email: str, password: str, roles: frozenset[Role], display_name: str = ""
    ) -> int:
        if "@" not in email or len(password) < 12:
            raise InvalidInput("a valid email and a password of at least 12 characters are needed")
        owner = self.org(org)
        with self._uow() as uow:
            user = uow.tenancy.create_user(
                org_id=owner.id,
                email=email.lower(),
                display_name=display_name or email,
                password_hash=hash_password(password),
                roles=roles,
            )
            detail = {"roles": sorted(roles)}
            record_as(uow, "system", owner.id, "user.create", "user", user.id, **detail)
        return user.id

    def create_token(self, *, org: str, name: str, roles: frozenset[Role]) -> str:
        """A new bearer token for a service account of `org`; returned once, stored hashed."""
        owner = self.org(org)
        token = new_token()
        with self._uow() as uow:
            token_id = uow.tenancy.create_token(
                org_id=owner.id, user_id=None, name=name, token_hash=hash_token(token), roles=roles
            )
            detail = {"name": name, "roles": sorted(roles)}
            record_as(uow, "system", owner.id, "token.create", "api_token", token_id, **detail)
        return token

    # -- authentication --------------------------------------------------------------------------
    def principal_for_token(self, token: str) -> Principal | None:
        """Resolve a bearer token. Uses are audited (at most once per token per cache period,
        so a platform's lookup traffic does not turn into one audit write per request)."""
        digest = hash_token(token)
        cached = self._tokens.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        with self._uow() as uow:
            stored = uow.tenancy.find_token(digest)
            if stored is None:
                return None
            org = uow.tenancy.get_org(stored.org_id)
            assert org is not None
            principal = Principal.of(
                org, stored.roles, token_id=stored.id, user_id=stored.user_id, label=stored.name
            )
            record_as(uow, principal.actor, org.id, "auth.token_use", "api_token", stored.id)
        self._tokens[digest] = (principal, time.monotonic() + TOKEN_CACHE_S)
        return principal

    def login(self, email: str, password: str) -> NewSession:
        with self._uow() as uow:
            user = uow.tenancy.get_user_by_email(email.lower())
            if user is None or not user.active or not verify_password(password, user.password_hash):
                # recorded, then committed: the refusal is raised after the unit of work closes
                record_as(
                    uow, f"login:{email.lower()[:100]}", None, "auth.login_failed", "user", "-"
                )
                user = None
            else:
                org = uow.tenancy.get_org(user.org_id)
                assert org is not None
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
                uow.tenancy.create_session(
                    user_id=user.id, token_hash=hash_token(token), csrf=csrf, ttl_s=SESSION_TTL_S
                )
                record_as(uow, f"user:{user.id}", org.id, "auth.login", "user", user.id)
                principal = Principal.of(org, user.roles, user_id=user.id, label=user.display_name)
        if user is None:
            raise Unauthorized("wrong email or password")
        return NewSession(token=token, csrf=csrf, principal=principal)

    def session(self, token: str) -> tuple[Principal, str] | None:
        """The principal and CSRF token of a live web session."""
        with self._uow() as uow:
            found = uow.tenancy.find_session(hash_token(token))
            if found is None:
                return None
            user = uow.tenancy.get_user(found[0])
            if user is None or not user.active:
                return None
            org = uow.tenancy.get_org(user.org_id)
            assert org is not None
            principal = Principal.of(org, user.roles, user_id=user.id, label=user.display_name)
            return principal, found[1]

    def logout(self, token: str) -> None:
        with self._uow() as uow:
            uow.tenancy.delete_session(hash_token(token))
