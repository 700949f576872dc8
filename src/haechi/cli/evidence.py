"""`haechi evidence …` (signed evidence packages) and `haechi hotline receive-mail`.

`evidence verify` is deliberately offline: it reads only the package and a public key file, never
the settings or the database, so it runs the same on a court's or a police lab's machine.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated

import typer

from haechi.adapters.signing import FileKeySigner, PublicKey
from haechi.adapters.smtp_inbound import mail_receiver
from haechi.cli.main import container, err
from haechi.config import Settings
from haechi.domain.evidence import verify_package
from haechi.domain.tenancy import Principal, Role

evidence_app = typer.Typer(help="Signed evidence packages of cases.")
hotline_app = typer.Typer(help="Hotline threads of cases.")


@evidence_app.command("export")
def export(
    case: str,
    out: Annotated[Path, typer.Option("--out", help="where to write the zip")],
    org: Annotated[str, typer.Option(help="the organisation exporting (must see the case)")],
) -> None:
    """Export a case's signed evidence package (audited as `evidence.export`)."""
    with container() as c:
        who = Principal.of(c.auth.org(org), frozenset({Role.AUDITOR}), label="cli")
        data = c.hotline.evidence.export(who, case)
    out.write_bytes(data)
    typer.echo(json.dumps({"case": case, "out": str(out), "bytes": len(data)}))


@evidence_app.command("public-key")
def public_key(
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
) -> None:
    """The instance's evidence-signing public key (PEM); creates the key pair on first use."""
    pem = FileKeySigner(Settings().evidence_key_path).public_key_pem()
    if out is None:
        typer.echo(pem.decode(), nl=False)
    else:
        out.write_bytes(pem)


@evidence_app.command("verify")
def verify(
    package: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    public_key_file: Annotated[
        Path, typer.Option("--public-key", exists=True, dir_okay=False, help="PEM public key")
    ],
) -> None:
    """Check a package offline: signature, every file's hash, audit segment and custody."""
    key = PublicKey(public_key_file.read_bytes())
    report = verify_package(package.read_bytes(), key_id=key.key_id, check=key.check)
    if not report.ok:
        for problem in report.problems:
            err.print(f"[red]FAILED:[/red] {problem}")
        raise typer.Exit(1)
    custody = report.manifest.get("custody", {})
    summary = {
        "ok": True,
        "case": report.manifest.get("case"),
        "files": len(report.manifest.get("files", [])),
        "exported_by": custody.get("actor"),
        "org": custody.get("org"),
        "at": custody.get("at"),
        "audit_seq": custody.get("audit_seq"),
    }
    typer.echo(json.dumps(summary))


@hotline_app.command("receive-mail")
def receive_mail() -> None:
    """Run the SMTP receiver of the e-mail bridge on HAECHI_HOTLINE_SMTP_HOST:PORT."""
    with container() as c:
        s = c.settings
        receiver = mail_receiver(c.hotline.mail, host=s.hotline_smtp_host, port=s.hotline_smtp_port)
        receiver.start()
        where = f"{s.hotline_smtp_host}:{s.hotline_smtp_port}"
        err.print(f"receiving mail for *@{s.hotline_mail_domain} on {where}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
