"""`haechi org|user|token|audit …`: tenants, people, service tokens and the audit chain."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from haechi.cli.main import container
from haechi.domain.tenancy import parse_roles

org_app = typer.Typer(help="Organisations (tenants).")
user_app = typer.Typer(help="People who sign in to the web UI.")
token_app = typer.Typer(help="Bearer tokens for organisations' systems.")
audit_app = typer.Typer(help="The tamper-evident audit log.")


@org_app.command("create")
def org_create(
    name: str,
    kind: Annotated[
        str, typer.Option(help="regulator, victim_support, police, platform, trusted_flagger")
    ],
    timezone: Annotated[str, typer.Option("--tz")] = "UTC",
) -> None:
    """Create an organisation."""
    with container() as c:
        org = c.auth.create_org(name, kind, timezone)
        typer.echo(json.dumps({"id": org.id, "name": org.name, "kind": org.kind.value}))


@org_app.command("list")
def org_list() -> None:
    with container() as c:
        for org in c.auth.orgs():
            typer.echo(
                json.dumps(
                    {
                        "id": org.id,
                        "name": org.name,
                        "kind": org.kind.value,
                        "timezone": org.timezone,
                    }
                )
            )


@user_app.command("create")
def user_create(
    email: str,
    org: Annotated[str, typer.Option()],
    role: Annotated[list[str], typer.Option(help="repeat for several roles")],
    name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user; the password is read from standard input (never from the command line)."""
    password = sys.stdin.readline().rstrip("\n")
    with container() as c:
        user_id = c.auth.create_user(
            org=org, email=email, password=password, roles=parse_roles(role), display_name=name
        )
        typer.echo(json.dumps({"id": user_id, "email": email}))


@token_app.command("create")
def token_create(
    org: Annotated[str, typer.Option()],
    role: Annotated[list[str], typer.Option()],
    name: Annotated[str, typer.Option()],
) -> None:
    """Create a bearer token; it is printed once and stored only as a hash."""
    with container() as c:
        token = c.auth.create_token(org=org, name=name, roles=parse_roles(role))
        typer.echo(json.dumps({"token": token}))


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every entry's hash and link; exit 1 at the first altered, removed or moved entry."""
    with container() as c:
        report = c.audit.verify()
    typer.echo(
        json.dumps(
            {
                "entries": report.entries,
                "ok": report.ok,
                "first_bad_seq": report.first_bad_seq,
                "problem": report.problem,
            }
        )
    )
    if not report.ok:
        raise typer.Exit(1)
