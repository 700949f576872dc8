"""SQL storage of organisations, users, API tokens and web sessions (hashes only, never secrets)."""

from __future__ import annotations

import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_tenancy import ApiTokenRow, OrganisationRow, UserRow, WebSessionRow
from haechi.domain.errors import Conflict
from haechi.domain.tenancy import Organisation, OrgKind, Role, parse_roles
from haechi.services.ports import StoredToken, StoredUser


def _org(row: OrganisationRow) -> Organisation:
    return Organisation(id=row.id, name=row.name, kind=OrgKind(row.kind), timezone=row.timezone)


def _user(row: UserRow) -> StoredUser:
    return StoredUser(
        id=row.id,
        org_id=row.org_id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        roles=parse_roles(row.roles),
        active=row.active,
    )


class SqlTenancyStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def create_org(self, name: str, kind: OrgKind, timezone: str) -> Organisation:
        if self._s.scalar(select(OrganisationRow).where(OrganisationRow.name == name)):
            raise Conflict(f"organisation '{name}' already exists")
        row = OrganisationRow(name=name, kind=kind.value, timezone=timezone, created_at=time.time())
        self._s.add(row)
        self._s.flush()
        return _org(row)

    def get_org(self, org_id: int) -> Organisation | None:
        row = self._s.get(OrganisationRow, org_id)
        return None if row is None else _org(row)

    def get_org_by_name(self, name: str) -> Organisation | None:
        row = self._s.scalar(select(OrganisationRow).where(OrganisationRow.name == name))
        return None if row is None else _org(row)

    def list_orgs(self) -> list[Organisation]:
        return [
            _org(r) for r in self._s.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        ]

    def create_user(
        self,
        *,
        org_id: int,
        email: str,
        display_name: str,
        password_hash: str,
        roles: frozenset[Role],
    ) -> StoredUser:
        if self.get_user_by_email(email) is not None:
            raise Conflict(f"a user with email {email} already exists")
        row = UserRow(
            org_id=org_id,
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            roles=sorted(r.value for r in roles),
            active=True,
            created_at=time.time(),
        )
        self._s.add(row)
        self._s.flush()
        return _user(row)

    def get_user(self, user_id: int) -> StoredUser | None:
        row = self._s.get(UserRow, user_id)
        return None if row is None else _user(row)

    def get_user_by_email(self, email: str) -> StoredUser | None:
        row = self._s.scalar(select(UserRow).where(UserRow.email == email))
        return None if row is None else _user(row)

    def list_users(self, org_id: int) -> list[StoredUser]:
        stmt = select(UserRow).where(UserRow.org_id == org_id).order_by(UserRow.id)
        return [_user(r) for r in self._s.scalars(stmt)]

    def create_token(
        self,
        *,
        org_id: int,
        user_id: int | None,
        name: str,
        token_hash: str,
        roles: frozenset[Role],
    ) -> int:
        row = ApiTokenRow(
            org_id=org_id,
            user_id=user_id,
            name=name,
            token_hash=token_hash,
            roles=sorted(r.value for r in roles),
            created_at=time.time(),
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def find_token(self, token_hash: str) -> StoredToken | None:
        row = self._s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
        if row is None or row.revoked_at is not None:
            return None
        row.last_used_at = time.time()
        return StoredToken(
            id=row.id,
            org_id=row.org_id,
            user_id=row.user_id,
            name=row.name,
            roles=parse_roles(row.roles),
        )

    def revoke_token(self, token_id: int) -> None:
        row = self._s.get(ApiTokenRow, token_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = time.time()

    def create_session(self, *, user_id: int, token_hash: str, csrf: str, ttl_s: float) -> None:
        now = time.time()
        self._s.add(
            WebSessionRow(
                user_id=user_id,
                token_hash=token_hash,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + ttl_s,
            )
        )

    def find_session(self, token_hash: str) -> tuple[int, str] | None:
        """(user id, csrf token) of a live session."""
        row = self._s.scalar(select(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
        if row is None or row.expires_at < time.time():
            return None
        return row.user_id, row.csrf_token

    def delete_session(self, token_hash: str) -> None:
        self._s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
