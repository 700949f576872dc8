"""`haechi exchange …`: subscribe to sources, grant banks, poll now, review held hashes, and move
banks in and out of the threatexchange CLI's dataset formats."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from haechi.bootstrap import Container
from haechi.cli.main import container
from haechi.domain.tenancy import Principal, Role
from haechi.services.federation_sources import SourceInput

app = typer.Typer(help="Federation with other haechi instances, StopNCII, NCMEC, ThreatExchange.")

OrgOpt = Annotated[str, typer.Option(help="the organisation acting (an admin of it)")]


def _admin(c: Container, org: str) -> Principal:
    return Principal.of(c.auth.org(org), frozenset({Role.ADMIN}), label="cli")


@app.command("poll")
def poll(name: str) -> None:
    """Poll one source now (synchronously) and print what it brought."""
    with container() as c:
        report = c.federation.poller.poll(name)
        typer.echo(json.dumps(dataclasses.asdict(report)))


@app.command("poll-due")
def poll_due() -> None:
    """Poll every source whose interval has passed (for cron, without a running server)."""
    with container() as c:
        for report in c.federation.poller.poll_due():
            typer.echo(json.dumps(dataclasses.asdict(report)))


@app.command("add")
def add(
    name: str,
    org: OrgOpt,
    bank: Annotated[str, typer.Option(help="the local bank received hashes land in")],
    url: Annotated[str, typer.Option(help="source URL (haechi: the publisher's base URL)")] = "",
    kind: Annotated[str, typer.Option(help="haechi, stopncii, ncmec or threatexchange")] = "haechi",
    trust: Annotated[str, typer.Option(help="auto, review or notify")] = "review",
    interval: Annotated[float, typer.Option(help="seconds between polls")] = 300.0,
    token_env: Annotated[str | None, typer.Option(help="variable holding the token")] = None,
    token_stdin: Annotated[bool, typer.Option(help="read the token from stdin (sealed)")] = False,
    flood_per_hour: Annotated[int | None, typer.Option(help="per hour, then quarantine")] = None,
    public_key: Annotated[Path | None, typer.Option(help="the publisher's feed key (PEM)")] = None,
    config: Annotated[str | None, typer.Option(help="JSON object of source settings")] = None,
) -> None:  # fmt: skip
    """Subscribe ORG to a source."""
    token = sys.stdin.readline().strip() if token_stdin else None
    spec = SourceInput(
        name=name, kind=kind, url=url, bank=bank, trust_mode=trust, poll_interval_s=interval,
        token=token, token_env=token_env, flood_per_hour=flood_per_hour,
        public_key_pem=public_key.read_text() if public_key else None,
        config=json.loads(config) if config else None,
    )  # fmt: skip
    with container() as c:
        source = c.federation.sources.add(_admin(c, org), spec)
        typer.echo(json.dumps({"name": source.name, "kind": source.kind.value}))


@app.command("list")
def list_sources(org: OrgOpt) -> None:
    """ORG's sources with their checkpoint and last error."""
    with container() as c:
        for s in c.federation.sources.list_sources(_admin(c, org)):
            row: dict[str, object] = {"name": s.name, "kind": s.kind.value}
            row["trust_mode"] = s.trust_mode.value
            row |= {"checkpoint": s.checkpoint, "last_error": s.last_error}
            typer.echo(json.dumps(row))


@app.command("grant")
def grant(
    subscriber: str,
    bank: str,
    org: OrgOpt,
    region: Annotated[list[str] | None, typer.Option(help="ISO 3166 code; repeat")] = None,
) -> None:
    """Let SUBSCRIBER (an organisation) read BANK's feed, optionally in some regions only."""
    with container() as c:
        view = c.federation.publisher.grant(
            _admin(c, org), org_name=subscriber, bank_name=bank, regions=region or None
        )
        typer.echo(json.dumps({"id": view.grant.id, "org": view.org_name, "bank": view.bank_name}))


@app.command("held")
def held(org: OrgOpt, source: str | None = None) -> None:
    """Hashes held for review (review mode or flood quarantine)."""
    with container() as c:
        for item, name in c.federation.sources.held(_admin(c, org), source=source):
            row = {"id": item.id, "source": name, "remote_id": item.remote_id}
            typer.echo(json.dumps(row | {"quarantined": item.quarantined, "signals": item.signals}))


@app.command("decide")
def decide(
    ids: list[int],
    org: OrgOpt,
    approve: Annotated[bool, typer.Option("--approve/--reject")] = True,
) -> None:
    """Approve (start matching) or reject held hashes by id."""
    with container() as c:
        count = c.federation.sources.decide(_admin(c, org), ids, approve=approve)
        typer.echo(json.dumps({"decided": count}))


@app.command("import-te")
def import_te(
    file: Path,
    bank: str,
    fmt: Annotated[str, typer.Option("--format", help="csv or simple")] = "csv",
) -> None:
    """Import a `threatexchange dataset -P --csv` (or `-P -S`, simple) file into BANK."""
    text = file.read_text(encoding="utf-8-sig")
    with container() as c:
        report = c.federation.dataset.import_text(bank, text, fmt=fmt)
        typer.echo(json.dumps(dataclasses.asdict(report)))


@app.command("export-te")
def export_te(
    bank: str,
    fmt: Annotated[str, typer.Option("--format", help="csv or simple")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export BANK in the threatexchange CLI's dataset format (stdout unless -o)."""
    with container() as c:
        chunks = c.federation.dataset.export_text(bank, fmt=fmt)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(chunks)
