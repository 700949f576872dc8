"""Tenancy, credentials and the audit chain through the real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from haechi.bootstrap import Container
from haechi.domain.credentials import hash_password, verify_password
from haechi.domain.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from haechi.domain.tenancy import OrgKind, Permission, Role


def test_passwords_are_salted_scrypt() -> None:
    a, b = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert a != b
    assert a.startswith("scrypt$")
    assert verify_password("correct horse battery", a)
    assert not verify_password("wrong", a)
    assert not verify_password("x", "garbage")


def test_orgs_users_tokens_and_login(container: Container) -> None:
    auth = container.auth
    org = auth.create_org("KCSC", "regulator", "Asia/Seoul")
    assert org.kind is OrgKind.REGULATOR
    with pytest.raises(Conflict):
        auth.create_org("KCSC", "regulator")
    with pytest.raises(InvalidInput):
        auth.create_org("X", "regulator", "Mars/Olympus")
    with pytest.raises(InvalidInput):
        auth.create_user(org="KCSC", email="a@b.c", password="short", roles=frozenset())
    auth.create_user(
        org="KCSC",
        email="Analyst@KCSC.example",
        password="long enough pass",
        roles=frozenset({Role.ANALYST}),
    )
    session = auth.login("analyst@kcsc.example", "long enough pass")
    principal, csrf = auth.session(session.token) or (None, "")
    assert principal is not None
    assert principal.can(Permission.NOTICES_SEND)
    assert not principal.can(Permission.AUDIT_READ)
    with pytest.raises(Forbidden):
        principal.require(Permission.AUDIT_READ)
    assert csrf == session.csrf
    with pytest.raises(Unauthorized):
        auth.login("analyst@kcsc.example", "nope")
    with container.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=100)]
    assert actions[-1] == "auth.login_failed", "a refused sign-in is kept in the audit log"
    auth.logout(session.token)
    assert auth.session(session.token) is None

    token = auth.create_token(org="KCSC", name="sync", roles=frozenset({Role.AUDITOR}))
    tp = auth.principal_for_token(token)
    assert tp is not None and tp.org_id == org.id and tp.can(Permission.AUDIT_READ)
    assert auth.principal_for_token(token + "x") is None


def test_audit_chain_detects_tampering(container: Container, tmp_path: Path) -> None:
    auth = container.auth
    auth.create_org("KCSC", "regulator")
    for i in range(5):
        auth.create_org(f"P{i}", "platform")
    report = container.audit.verify()
    assert report.ok and report.entries == 6

    db = container.engine  # a tamperer with direct database access (SQLite file or PostgreSQL)
    with db.begin() as conn:
        conn.execute(text('UPDATE audit_entry SET detail = \'{"kind": "police"}\' WHERE seq = 3'))
    bad = container.audit.verify()
    assert not bad.ok and bad.first_bad_seq == 3

    with db.begin() as conn:
        conn.execute(text('UPDATE audit_entry SET detail = \'{"kind": "platform"}\' WHERE seq = 3'))
    assert container.audit.verify().ok
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 6"))
    truncated = container.audit.verify()
    assert not truncated.ok and truncated.problem == "log ends before its recorded head"
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    assert not container.audit.verify().ok
