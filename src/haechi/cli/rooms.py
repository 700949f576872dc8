"""`haechi rooms import|hubs`, `haechi blocklist export|public-key`, `haechi notice receive-mail`.

The CLI acts for a named organisation with one role (an analyst to import, an auditor to read),
labelled `cli` in the audit log, so it can do exactly what that organisation's people can.
"""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Annotated

import typer

from haechi.adapters.smtp_inbound import mail_receiver
from haechi.cli.main import container, err
from haechi.cli.notices import notice_app
from haechi.domain.blocklists import Format
from haechi.domain.tenancy import Principal, Role
from haechi.services.room_analysis import as_json

rooms_app = typer.Typer(help="Distribution rooms: chat-export imports and the hub ranking.")
blocklist_app = typer.Typer(help="Signed blocklists for ISPs and platforms.")
OrgOption = Annotated[str, typer.Option(help="the organisation to act for")]


@rooms_app.command("import")
def import_export(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: OrgOption,
) -> None:
    """Import a chat export (CSV, observation JSON, Telegram Desktop JSON): all rows or none."""
    with container() as c:
        who = Principal.of(c.auth.org(org), frozenset({Role.ANALYST}), label="cli")
        results = c.rooms.imports.import_file(who, file.read_bytes(), file.name)
        for r in results:
            line = {
                "room_id": r.room_id,
                "created": r.created,
                "posts_added": r.posts_added,
                "items": r.items,
                "cases": r.cases,
                "migrations": r.migrations,
                "alerts": len(r.alerts),
            }
            typer.echo(json.dumps(line))


@rooms_app.command("hubs")
def hubs(
    org: OrgOption,
    platform: Annotated[str | None, typer.Option()] = None,
    tag: Annotated[str | None, typer.Option()] = None,
    top: Annotated[int, typer.Option(help="how many hubs to print")] = 10,
) -> None:
    """The rooms that spread most and connect most, with the score explained (JSON lines)."""
    with container() as c:
        who = Principal.of(c.auth.org(org), frozenset({Role.AUDITOR}), label="cli")
        graph = as_json(c.rooms.analysis.map_graph(who, platform=platform, tag=tag))
        titles = {n["id"]: (n["platform"], n["title"]) for n in graph["nodes"]}
        for hub in graph["hubs"][:top]:
            platform_name, title = titles[hub["room_id"]]
            typer.echo(json.dumps(hub | {"platform": platform_name, "title": title}))


@blocklist_app.command("export")
def export(
    name: str,
    org: OrgOption,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TXT,
    out: Annotated[Path | None, typer.Option(help="write here (and the signature to .sig)")] = None,
) -> None:
    """Print (or write) a list in one format; with --out, the detached signature goes beside it."""
    with container() as c:
        who = Principal.of(c.auth.org(org), frozenset({Role.AUDITOR}), label="cli")
        rendered = c.rooms.blocklists.render(who, name, fmt)
    if out is None:
        typer.echo(rendered.body.decode(), nl=False)
        return
    out.write_bytes(rendered.body)
    out.with_name(out.name + ".sig").write_bytes(base64.b64decode(rendered.signature))
    err.print(f"wrote {out} (serial {rendered.serial}) and {out.name}.sig ({rendered.key_id[:16]})")


@blocklist_app.command("public-key")
def public_key() -> None:
    """The PEM public key that verifies every blocklist export."""
    with container() as c:
        _key_id, pem = c.rooms.blocklists.public_key()
    typer.echo(pem.decode(), nl=False)


@notice_app.command("receive-mail")
def receive_mail() -> None:
    """Receive regulators' notices by e-mail on HAECHI_NOTICE_SMTP_HOST:PORT."""
    with container() as c:
        s = c.settings
        receiver = mail_receiver(
            c.rooms.notice_mail, host=s.notice_smtp_host, port=s.notice_smtp_port
        )
        receiver.start()
        where = f"{s.notice_smtp_host}:{s.notice_smtp_port}"
        err.print(f"receiving notices for {s.notice_mail_address} on {where}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
